/** The backend choice: what `auto` picks from what it knows, and that wasm starts in Node with the training kernels. */
import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { autoBackend, initBackend, isSoftwareAdapter, type Machine } from './backend.ts';
import { WASM_TRAINING_KERNELS } from './wasmKernels.ts';

const none = { available: false, isFallbackAdapter: false, description: 'none' };
const swiftshader = { available: true, isFallbackAdapter: true, description: 'google swiftshader' };
// Dawn on Mesa's lavapipe does not flag itself a fallback adapter; its name says it is the CPU.
const lavapipe = { available: true, isFallbackAdapter: false, description: 'mesa llvmpipe (LLVM 15.0.6, 256 bits)' };
const gpu = { available: true, isFallbackAdapter: false, description: 'nvidia ampere' };
const noWebgl = { available: false, renderer: '' };
const swWebgl = { available: true, renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)' };
const hwWebgl = { available: true, renderer: 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0)' };

const m = (over: Partial<Machine>): Machine => ({ node: false, adapter: none, webgl: noWebgl, wasm: true, ...over });

describe('autoBackend', () => {
  it('takes WebGPU on a real GPU, in the page and in Node', () => {
    expect(autoBackend(m({ adapter: gpu, webgl: hwWebgl })).backend).toBe('webgpu');
    expect(autoBackend(m({ node: true, adapter: gpu })).backend).toBe('webgpu');
  });

  it('takes WebGL on a real GPU without WebGPU', () => {
    const c = autoBackend(m({ webgl: hwWebgl }));
    expect(c.backend).toBe('webgl');
    expect(c.reason).toContain('NVIDIA');
  });

  it('takes wasm when every GPU backend is a software rasteriser, and says why', () => {
    for (const machine of [m({ adapter: swiftshader, webgl: swWebgl }), m({ node: true, adapter: lavapipe }), m({ node: true }), m({ webgl: swWebgl })]) {
      const c = autoBackend(machine);
      expect(c.backend).toBe('wasm');
      expect(c.reason).toMatch(/no GPU/);
    }
  });

  it('falls back to WebGL, then software WebGPU, then cpu when wasm cannot start', () => {
    expect(autoBackend(m({ wasm: false, adapter: swiftshader, webgl: swWebgl })).backend).toBe('webgl');
    expect(autoBackend(m({ wasm: false, node: true, adapter: lavapipe })).backend).toBe('webgpu');
    expect(autoBackend(m({ wasm: false, node: true })).backend).toBe('cpu');
  });

  it('knows software adapters by the fallback flag or by name', () => {
    expect(isSoftwareAdapter(swiftshader)).toBe(true);
    expect(isSoftwareAdapter(lavapipe)).toBe(true);
    expect(isSoftwareAdapter(gpu)).toBe(false);
  });
});

describe('initBackend in Node', () => {
  it('auto without a GPU starts wasm, single-threaded SIMD, with the training kernels registered', async () => {
    const c = await initBackend('auto', { node: true });
    expect(c.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(c.reason).toMatch(/no GPU.*\(SIMD, 1 thread\)/);
    for (const k of WASM_TRAINING_KERNELS) expect(tf.getKernel(k, 'wasm'), k).toBeDefined();
  });

  it('an explicit choice is taken and said to be yours', async () => {
    const c = await initBackend('cpu', { node: true });
    expect(c).toMatchObject({ backend: 'cpu', reason: 'cpu chosen by you' });
    expect((await initBackend('wasm', { node: true })).backend).toBe('wasm');
  });
});
