/** Every label of the docs site, in English and Arabic. Content comes from the schema, the registries and docs/. */
export type Language = 'en' | 'ar';
export const LANGUAGES: readonly Language[] = ['en', 'ar'];

const STRINGS = {
  siteTitle: { en: 'GCC Interop Gateway documentation', ar: 'توثيق بوابة التكامل الحكومي الخليجية' },
  home: { en: 'Home', ar: 'الرئيسية' },
  schema: { en: 'Schema reference', ar: 'مرجع المخطط' },
  errors: { en: 'Error codes', ar: 'رموز الأخطاء' },
  events: { en: 'Event catalogue', ar: 'فهرس الأحداث' },
  guides: { en: 'Guides', ar: 'الأدلة' },
  otherLanguage: { en: 'العربية', ar: 'English' },
  skipToContent: { en: 'Skip to content', ar: 'انتقل إلى المحتوى' },
  type: { en: 'Type', ar: 'النوع' },
  kind: { en: 'Kind', ar: 'الصنف' },
  field: { en: 'Field', ar: 'الحقل' },
  fields: { en: 'Fields', ar: 'الحقول' },
  inputFields: { en: 'Input fields', ar: 'حقول الإدخال' },
  values: { en: 'Values', ar: 'القيم' },
  possibleTypes: { en: 'Possible types', ar: 'الأنواع الممكنة' },
  arguments: { en: 'Arguments', ar: 'الوسائط' },
  argument: { en: 'Argument', ar: 'الوسيط' },
  defaultValue: { en: 'Default', ar: 'القيمة الافتراضية' },
  description: { en: 'Description', ar: 'الوصف' },
  sensitivity: { en: 'Sensitivity', ar: 'الحساسية' },
  purposes: { en: 'Purposes that unlock it', ar: 'الأغراض التي تتيح الوصول' },
  policyNotConfigured: { en: 'policy not configured', ar: 'لم تُضبط سياسة الوصول بعد' },
  noSensitivity: { en: 'not annotated (treated as the strictest level)', ar: 'غير مصنّف (يُعامل بأشد المستويات)' },
  example: { en: 'Example', ar: 'مثال' },
  deprecated: { en: 'Deprecated', ar: 'مهمل' },
  code: { en: 'Code', ar: 'الرمز' },
  origin: { en: 'Origin', ar: 'المصدر' },
  httpStatus: { en: 'HTTP status', ar: 'حالة HTTP' },
  retriable: { en: 'Retry may help', ar: 'قد تفيد إعادة المحاولة' },
  message: { en: 'Message', ar: 'الرسالة' },
  yes: { en: 'yes', ar: 'نعم' },
  no: { en: 'no', ar: 'لا' },
  gatewayErrors: { en: 'Gateway errors', ar: 'أخطاء البوابة' },
  trustErrors: { en: 'Digital trust errors', ar: 'أخطاء الثقة الرقمية' },
  englishOnly: {
    en: '',
    ar: 'هذه الصفحة متاحة باللغة الإنجليزية فقط حاليًا؛ الترجمة العربية قيد الإعداد.',
  },
  generatedNote: {
    en: 'Generated from the code and the committed contracts; do not edit the HTML.',
    ar: 'مُولَّد من الشيفرة والعقود المعتمدة في المستودع؛ لا تحرّر ملفات HTML.',
  },
  examplesNote: {
    en: 'Argument values in examples are illustrative and match the sandboxes\u2019 demo data where they can.',
    ar: 'قيم الوسائط في الأمثلة توضيحية، وتطابق بيانات البيئات التجريبية حيثما أمكن.',
  },
  purposesNote: {
    en: 'The access policy (which clients may read which fields, for which purposes) is not configured in this version, so no purpose is listed. Sensitive fields (PERSONAL, FINANCIAL) will be denied by default once it is.',
    ar: 'سياسة الوصول (أي العملاء يحق لهم قراءة أي الحقول ولأي الأغراض) غير مضبوطة في هذا الإصدار، لذا لا تُذكر أي أغراض. وستُرفض الحقول الحساسة (الشخصية والمالية) افتراضيًا عند تفعيلها.',
  },
  rootTypes: { en: 'Entry points', ar: 'نقاط الدخول' },
  allTypes: { en: 'All types', ar: 'جميع الأنواع' },
  noEvents: {
    en: 'The event catalogue is generated from schemas/asyncapi.yaml and schemas/events/*.schema.json. No event contract was found there, so the catalogue is empty.',
    ar: 'يُولَّد فهرس الأحداث من الملف schemas/asyncapi.yaml ومن schemas/events/*.schema.json. ولم يُعثر فيها على أي عقد حدث، لذا الفهرس فارغ.',
  },
  channel: { en: 'Channel', ar: 'القناة' },
  eventsIntro: {
    en: 'Signed CloudEvents 1.0 that member states exchange through their gateways, generated from schemas/asyncapi.yaml and schemas/events/*.schema.json. Member systems publish with the publishEvent mutation and receive with the eventReceived subscription or the events(after:) query; they never talk to Kafka.',
    ar: 'أحداث CloudEvents 1.0 موقّعة تتبادلها الدول الأعضاء عبر بواباتها، مولّدة من schemas/asyncapi.yaml ومن schemas/events/*.schema.json. تنشر الأنظمة الأعضاء بعملية publishEvent وتستقبل بالاشتراك eventReceived أو بالاستعلام events(after:)، ولا تتصل بـ Kafka مباشرة.',
  },
  eventsGuide: { en: 'How to publish and subscribe', ar: 'كيف تنشر وتشترك' },
  eventHeaders: { en: 'Headers of every event (Kafka binary mode)', ar: 'ترويسات كل حدث (نمط Kafka الثنائي)' },
  header: { en: 'Header', ar: 'الترويسة' },
  dataSensitivity: { en: 'Sensitivity of the data', ar: 'حساسية البيانات' },
  eventType: { en: 'Event type', ar: 'نوع الحدث' },
  schemaFile: { en: 'Schema', ar: 'المخطط' },
  pagesFromRepo: { en: 'More documentation', ar: 'مزيد من التوثيق' },
} as const satisfies Record<string, Record<Language, string>>;

export type StringKey = keyof typeof STRINGS;

export function t(key: StringKey, language: Language): string {
  return STRINGS[key][language];
}

const KIND_LABELS: Record<string, Record<Language, string>> = {
  object: { en: 'object', ar: 'كائن' },
  interface: { en: 'interface', ar: 'واجهة' },
  union: { en: 'union', ar: 'اتحاد' },
  enum: { en: 'enum', ar: 'تعداد' },
  input: { en: 'input', ar: 'مُدخل' },
  scalar: { en: 'scalar', ar: 'قيمة بسيطة' },
};

export function kindLabel(kind: string, language: Language): string {
  return KIND_LABELS[kind]?.[language] ?? kind;
}

const ORIGIN_LABELS: Record<string, Record<Language, string>> = {
  client: { en: 'client', ar: 'العميل' },
  gateway: { en: 'gateway', ar: 'البوابة' },
  upstream: { en: 'upstream', ar: 'النظام الوطني' },
  trust: { en: 'trust', ar: 'الثقة الرقمية' },
};

export function originLabel(origin: string, language: Language): string {
  return ORIGIN_LABELS[origin]?.[language] ?? origin;
}
