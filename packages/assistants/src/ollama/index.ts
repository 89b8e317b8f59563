export { createOllamaModel, OllamaModel, type OllamaModelSettings } from './ollama-model.js';
