export async function runCommand(_a: string[]): Promise<void> {}
