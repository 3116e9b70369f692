export async function quantizeCommand(_a: string[]): Promise<void> {}
export async function partitionCommand(_a: string[]): Promise<void> {}
