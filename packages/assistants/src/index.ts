export * from './assistants/index.js';
export * from './indicators/index.js';
export * from './ollama/index.js';
export * from './sentiment/index.js';
