import { describeAdapterConformance } from '../kit/conformance/index.js';
import { adapter } from './index.js';

describeAdapterConformance(adapter, { injectedLatencyMillis: 1_000 });
