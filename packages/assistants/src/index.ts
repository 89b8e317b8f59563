export * from './indicators/index.js';
