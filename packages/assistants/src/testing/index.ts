export { startFakeOllama, type FakeOllama, type FakeOllamaReply, type FakeOllamaRequest, type FakeOllamaSettings } from './fake-ollama.js';
