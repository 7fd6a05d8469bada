import { describeAdapterConformance } from '../kit/conformance/index.js';
import { adapter } from './index.js';

describeAdapterConformance(adapter, {
  connectionArguments: { employees: { filter: { entity: { state: 'QA', code: 'MOF' } } } },
});
