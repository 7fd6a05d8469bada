/**
 * The gateway's error registry: every code a client or operator can see, with its origin, HTTP
 * status, whether retrying may help, and a message in English and Arabic. The docs' error-code
 * reference is generated from this table, so a code that is not here does not exist.
 */
export type ErrorOrigin = 'client' | 'gateway' | 'upstream';

export interface ErrorCodeSpec {
  readonly origin: ErrorOrigin;
  /** HTTP status when the error ends the whole request. */
  readonly httpStatus: number;
  readonly retriable: boolean;
  readonly en: string;
  readonly ar: string;
}

function spec(origin: ErrorOrigin, httpStatus: number, retriable: boolean, en: string, ar: string): ErrorCodeSpec {
  return { origin, httpStatus, retriable, en, ar };
}

export const ERROR_CODES = {
  // Request shape (GraphQL over HTTP, https://graphql.github.io/graphql-over-http/draft/)
  ERR_BAD_JSON: spec('client', 400, false, 'The request body is not valid JSON.', 'نص الطلب ليس بصيغة JSON صحيحة.'),
  ERR_BAD_REQUEST: spec('client', 400, false, 'The request is not a valid GraphQL-over-HTTP request.', 'الطلب ليس طلب GraphQL صالحًا عبر HTTP.'),
  ERR_UNSUPPORTED_MEDIA_TYPE: spec('client', 415, false, 'Unsupported content type; send application/json.', 'نوع المحتوى غير مدعوم؛ أرسل application/json.'),
  ERR_METHOD_NOT_ALLOWED: spec('client', 405, false, 'HTTP method not allowed here.', 'طريقة HTTP غير مسموح بها هنا.'),
  ERR_NOT_ACCEPTABLE: spec('client', 406, false, 'None of the accepted response types can be produced.', 'لا يمكن إنتاج أي من أنواع الاستجابة المقبولة.'),
  ERR_BODY_TOO_LARGE: spec('client', 413, false, 'The request body is larger than the configured limit.', 'حجم نص الطلب أكبر من الحد المسموح به.'),
  ERR_GRAPHQL_PARSE_FAILED: spec('client', 400, false, 'The GraphQL document could not be parsed.', 'تعذر تحليل مستند GraphQL.'),
  ERR_GRAPHQL_VALIDATION_FAILED: spec('client', 400, false, 'The GraphQL operation is not valid against the schema.', 'عملية GraphQL غير صالحة وفق المخطط.'),
  ERR_BAD_USER_INPUT: spec('client', 400, false, 'A variable or argument has an invalid value.', 'قيمة متغير أو وسيط غير صالحة.'),
  ERR_OPERATION_NOT_FOUND: spec('client', 400, false, 'The requested operation name is not in the document.', 'اسم العملية المطلوب غير موجود في المستند.'),
  ERR_MUTATION_OVER_GET: spec('client', 405, false, 'Mutations must be sent with POST.', 'يجب إرسال عمليات التعديل باستخدام POST.'),
  ERR_NOT_FOUND: spec('client', 404, false, 'No such path.', 'المسار غير موجود.'),
  // Gateway state
  ERR_SUPERGRAPH_NOT_LOADED: spec('gateway', 503, true, 'The gateway has no supergraph loaded yet.', 'لم تحمّل البوابة المخطط الموحد بعد.'),
  ERR_SUPERGRAPH_INVALID: spec('gateway', 500, false, 'The supergraph could not be loaded.', 'تعذر تحميل المخطط الموحد.'),
  ERR_COMPOSITION_FAILED: spec('gateway', 500, false, 'The subgraph schemas do not compose into a supergraph.', 'لا يمكن دمج مخططات الخدمات الفرعية في مخطط موحد.'),
  ERR_SHUTTING_DOWN: spec('gateway', 503, true, 'The gateway is shutting down.', 'البوابة قيد الإيقاف.'),
  ERR_CONFIG_INVALID: spec('gateway', 500, false, 'The configuration is not valid.', 'الإعدادات غير صالحة.'),
  ERR_INTERNAL: spec('gateway', 500, false, 'Internal gateway error.', 'خطأ داخلي في البوابة.'),
  ERR_AUDIT_UNAVAILABLE: spec('gateway', 503, true, 'The exchange could not be recorded in the evidence log, so it was refused.', 'تعذر تسجيل العملية في سجل الأدلة، لذا رُفضت.'),
  ERR_AUDIT_CORRUPT: spec('gateway', 500, false, 'The evidence log is damaged; verify it before restarting.', 'سجل الأدلة تالف؛ تحقق منه قبل إعادة التشغيل.'),
  // Member-state access: identity, signatures, purpose, policy, limits
  ERR_CLIENT_CERT_REQUIRED: spec('client', 401, false, 'No client certificate was presented on the mutual-TLS port.', 'لم تُقدَّم شهادة عميل على منفذ TLS المتبادل.'),
  ERR_REQUEST_SIGNATURE_REQUIRED: spec('client', 401, false, 'This operation needs a signed request (x-gccgw-signature header).', 'تتطلب هذه العملية طلبًا موقّعًا (الترويسة x-gccgw-signature).'),
  ERR_SIGNER_NOT_CLIENT: spec('client', 403, false, 'The request is signed by a member other than the TLS client (or one of its subsystems).', 'الطلب موقّع من عضو غير عميل TLS (أو أحد أنظمته الفرعية).'),
  ERR_PURPOSE_REQUIRED: spec('client', 403, false, 'A purpose of use (x-gccgw-purpose) is required for personal or financial fields.', 'يلزم تحديد غرض الاستخدام (x-gccgw-purpose) للحقول الشخصية أو المالية.'),
  ERR_PURPOSE_UNKNOWN: spec('client', 400, false, 'The purpose of use is not one of the legal bases in the access policy.', 'غرض الاستخدام ليس من الأسس القانونية في سياسة الوصول.'),
  ERR_PURPOSE_MISMATCH: spec('client', 400, false, 'The purpose header differs from the purpose that was signed.', 'ترويسة الغرض تختلف عن الغرض الموقّع.'),
  ERR_POLICY_DENIED: spec('client', 403, false, 'The access policy does not allow this client, for this purpose, to use these fields.', 'لا تسمح سياسة الوصول لهذا العميل، لهذا الغرض، باستخدام هذه الحقول.'),
  ERR_POLICY_ROW_DENIED: spec('client', 403, false, 'The record is outside what this client may see (e.g. another state\'s nationals).', 'السجل خارج نطاق ما يحق لهذا العميل رؤيته (مثل مواطني دولة أخرى).'),
  ERR_INTROSPECTION_DISABLED: spec('client', 403, false, 'Schema introspection is not allowed for this client.', 'استكشاف المخطط غير مسموح لهذا العميل.'),
  ERR_DOCUMENT_NOT_TRUSTED: spec('client', 403, false, 'Only operations from the trusted-documents manifest may run here.', 'لا يُسمح هنا إلا بالعمليات المدرجة في قائمة المستندات الموثوقة.'),
  ERR_DOCUMENT_UNKNOWN: spec('client', 400, false, 'No trusted document has this id.', 'لا يوجد مستند موثوق بهذا المعرّف.'),
  ERR_LIMIT_DEPTH: spec('client', 400, false, 'The operation is nested deeper than allowed.', 'العملية متداخلة بعمق أكبر من المسموح.'),
  ERR_LIMIT_ALIASES: spec('client', 400, false, 'The operation uses more aliases than allowed.', 'تستخدم العملية أسماء مستعارة أكثر من المسموح.'),
  ERR_LIMIT_ROOT_FIELDS: spec('client', 400, false, 'The operation selects more root fields than allowed.', 'تختار العملية حقولًا جذرية أكثر من المسموح.'),
  ERR_LIMIT_TOKENS: spec('client', 400, false, 'The GraphQL document has more tokens than allowed.', 'يحتوي مستند GraphQL على رموز أكثر من المسموح.'),
  ERR_LIMIT_COST: spec('client', 400, false, 'The operation is estimated to cost more than allowed.', 'التكلفة المقدّرة للعملية أعلى من المسموح.'),
  ERR_LIMIT_BATCH: spec('client', 400, false, 'Batched requests are larger than allowed.', 'الطلبات المجمّعة أكبر من المسموح.'),
  ERR_RATE_LIMITED: spec('client', 429, true, 'Too many requests from this client; slow down.', 'طلبات كثيرة جدًا من هذا العميل؛ يرجى الإبطاء.'),
  ERR_CONCURRENCY_LIMITED: spec('client', 429, true, 'Too many requests from this client at the same time.', 'طلبات متزامنة كثيرة جدًا من هذا العميل.'),
  ERR_REQUEST_TIMEOUT: spec('gateway', 504, true, 'The request took longer than the gateway allows.', 'استغرق الطلب وقتًا أطول مما تسمح به البوابة.'),
  ERR_GATEWAY_CONTEXT_INVALID: spec('client', 401, false, 'A remote subgraph refused the call: the gateway-signed request context is missing or invalid.', 'رفضت خدمة فرعية بعيدة الاستدعاء: سياق الطلب الموقّع من البوابة مفقود أو غير صالح.'),
  ERR_TRUST_UNAVAILABLE: spec('gateway', 503, true, 'The gateway cannot decide trust now (trust list expired or not loaded); traffic is refused.', 'لا تستطيع البوابة التحقق من الثقة الآن (قائمة الثقة منتهية أو غير محمّلة)؛ تُرفض الطلبات.'),
  // Cross-border events (publishEvent, events, eventReceived)
  ERR_EVENTS_DISABLED: spec('gateway', 503, false, 'Cross-border events are not enabled on this gateway.', 'الأحداث العابرة للحدود غير مفعّلة في هذه البوابة.'),
  ERR_EVENTS_UNAVAILABLE: spec('gateway', 503, true, 'The event could not be written to the gateway\'s outbox; nothing was published.', 'تعذر كتابة الحدث في الصندوق الصادر للبوابة؛ لم يُنشر شيء.'),
  ERR_EVENT_INVALID: spec('client', 400, false, 'The event is not a valid CloudEvent (id, source, type, subject, time or data).', 'الحدث ليس حدث CloudEvents صالحًا (المعرّف أو المصدر أو النوع أو الموضوع أو الوقت أو البيانات).'),
  ERR_EVENT_TYPE_UNKNOWN: spec('client', 400, false, 'The event type is not in the event catalogue.', 'نوع الحدث غير موجود في فهرس الأحداث.'),
  ERR_EVENT_SCHEMA_INVALID: spec('client', 400, false, 'The event data does not match the JSON Schema of its type.', 'بيانات الحدث لا تطابق مخطط JSON الخاص بنوعه.'),
  ERR_EVENT_SIGNATURE_INVALID: spec('client', 403, false, 'The event signature was refused (signature, certificate path, revocation or signer identity).', 'رُفض توقيع الحدث (التوقيع أو مسار الشهادة أو الإلغاء أو هوية الموقّع).'),
  ERR_EVENT_SOURCE_NOT_CALLER: spec('client', 403, false, 'The event source must be the ClientId of the calling system.', 'يجب أن يكون مصدر الحدث معرّف العميل للنظام المتصل.'),
  ERR_EVENT_STREAM_OVERFLOW: spec('client', 429, true, 'The subscription fell too far behind and was ended; catch up with events(after:) and subscribe again.', 'تأخر الاشتراك كثيرًا فأُنهي؛ استدرك ما فاتك عبر events(after:) ثم اشترك من جديد.'),
  ERR_EVENT_CURSOR_INVALID: spec('client', 400, false, 'The events cursor is not valid here, or points before the events this gateway still keeps.', 'مؤشر الأحداث غير صالح هنا، أو يشير إلى ما قبل الأحداث التي ما زالت البوابة تحتفظ بها.'),
  // Subgraphs and upstream national systems
  ERR_SUBGRAPH_UNAVAILABLE: spec('upstream', 502, true, 'A subgraph could not be reached.', 'تعذر الوصول إلى إحدى الخدمات الفرعية.'),
  ERR_SUBGRAPH_TIMEOUT: spec('upstream', 504, true, 'A subgraph did not answer in time.', 'لم تستجب إحدى الخدمات الفرعية في الوقت المحدد.'),
  ERR_SUBGRAPH_BAD_RESPONSE: spec('upstream', 502, false, 'A subgraph answered with something that is not a GraphQL response.', 'أجابت إحدى الخدمات الفرعية بردّ ليس استجابة GraphQL.'),
  ERR_SUBGRAPH_CIRCUIT_OPEN: spec('upstream', 503, true, 'A subgraph is failing and calls to it are paused.', 'إحدى الخدمات الفرعية متعطلة وتم إيقاف الاتصال بها مؤقتًا.'),
  ERR_UPSTREAM_UNAVAILABLE: spec('upstream', 502, true, 'The national system behind this service could not be reached.', 'تعذر الوصول إلى النظام الوطني خلف هذه الخدمة.'),
  ERR_UPSTREAM_TIMEOUT: spec('upstream', 504, true, 'The national system behind this service did not answer in time.', 'لم يستجب النظام الوطني خلف هذه الخدمة في الوقت المحدد.'),
  ERR_UPSTREAM_BAD_RESPONSE: spec('upstream', 502, false, 'The national system answered with an unexpected response.', 'أجاب النظام الوطني بردّ غير متوقع.'),
  ERR_UPSTREAM_REJECTED: spec('upstream', 422, false, 'The national system rejected the request.', 'رفض النظام الوطني الطلب.'),
  ERR_ENTITY_NOT_FOUND: spec('client', 404, false, 'The requested record does not exist.', 'السجل المطلوب غير موجود.'),
  // Service quality: channel feedback
  ERR_FEEDBACK_DISABLED: spec('gateway', 503, false, 'Service feedback is turned off on this gateway.', 'تقييم الخدمات متوقف في هذه البوابة.'),
  ERR_FEEDBACK_NOT_RECORDED: spec('gateway', 503, true, 'The feedback could not be recorded; try again later.', 'تعذر تسجيل التقييم؛ يرجى المحاولة لاحقًا.'),
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
