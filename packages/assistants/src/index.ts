export * from './indicators/index.js';
export * from './ollama/index.js';
