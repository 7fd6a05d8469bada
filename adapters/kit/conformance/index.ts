export {
  composeWithOthers,
  describeAdapterConformance,
  findConnectionFields,
  findMonolingualDescriptions,
  listObjectFields,
  type AdapterConformanceOptions,
} from './describe-adapter-conformance.js';
