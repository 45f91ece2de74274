import 'aws-sdk-client-mock-jest';
import { loadRegexEngine } from '../../lambdas/domain/regex/re2';

// Unit tests call the synchronous domain directly; the tests of the Lambda paths unload it again
// (`unloadRegexEngineForTests`) to start as a function does.
await loadRegexEngine();
