/**
 * The trust library's error registry: every code a caller can see, whether retrying may help, and a
 * message in English and Arabic. The docs' error reference is generated from this table, so a code
 * that is not here does not exist.
 */
export interface TrustErrorCodeSpec {
  readonly retriable: boolean;
  readonly en: string;
  readonly ar: string;
}

function spec(retriable: boolean, en: string, ar: string): TrustErrorCodeSpec {
  return { retriable, en, ar };
}

export const TRUST_ERROR_CODES = {
  // Input shape and limits
  ERR_TRUST_MALFORMED_INPUT: spec(false, 'The input is not a well-formed certificate, CRL, OCSP or timestamp structure.', 'المدخل ليس بنية شهادة أو قائمة إلغاء أو OCSP أو ختم زمني سليمة.'),
  ERR_TRUST_INPUT_TOO_LARGE: spec(false, 'The input is larger or more deeply nested than allowed.', 'المدخل أكبر أو أعمق تداخلًا من المسموح به.'),
  ERR_TRUST_WORK_LIMIT: spec(false, 'Path building gave up after the allowed amount of work.', 'توقف بناء مسار الشهادات بعد بلوغ الحد المسموح من العمل.'),
  // Path validation (RFC 5280 §6.1)
  ERR_TRUST_NO_PATH: spec(false, 'No chain from the certificate to a trusted anchor could be built.', 'تعذر بناء سلسلة من الشهادة إلى جهة ثقة معتمدة.'),
  ERR_TRUST_MAX_DEPTH: spec(false, 'The certificate chain is longer than allowed.', 'سلسلة الشهادات أطول من المسموح به.'),
  ERR_TRUST_BAD_SIGNATURE: spec(false, 'A certificate signature does not verify with its issuer key.', 'توقيع إحدى الشهادات لا يتحقق بمفتاح الجهة المصدرة.'),
  ERR_TRUST_UNSUPPORTED_ALGORITHM: spec(false, 'The signature algorithm is not supported or not allowed.', 'خوارزمية التوقيع غير مدعومة أو غير مسموح بها.'),
  ERR_TRUST_WEAK_KEY: spec(false, 'The key is too weak (RSA below 2048 bits or an unsupported curve).', 'المفتاح ضعيف (RSA أقل من 2048 بت أو منحنى غير مدعوم).'),
  ERR_TRUST_CERT_NOT_YET_VALID: spec(false, 'A certificate is not yet valid at the validation time.', 'إحدى الشهادات غير سارية بعد في وقت التحقق.'),
  ERR_TRUST_CERT_EXPIRED: spec(false, 'A certificate has expired at the validation time.', 'انتهت صلاحية إحدى الشهادات في وقت التحقق.'),
  ERR_TRUST_KEY_ID_MISMATCH: spec(false, 'The authority key identifier does not match the issuer key identifier.', 'معرّف مفتاح الجهة المصدرة لا يطابق معرّف مفتاح المصدر.'),
  ERR_TRUST_NOT_A_CA: spec(false, 'A certificate used as an issuer is not a CA certificate.', 'شهادة مستخدمة كجهة إصدار ليست شهادة جهة تصديق.'),
  ERR_TRUST_PATH_LEN_EXCEEDED: spec(false, 'The chain has more intermediate CAs than a path length constraint allows.', 'تحتوي السلسلة على جهات تصديق وسيطة أكثر مما يسمح به قيد طول المسار.'),
  ERR_TRUST_KEY_USAGE: spec(false, 'A certificate key usage does not allow this use.', 'استخدام مفتاح إحدى الشهادات لا يسمح بهذا الاستخدام.'),
  ERR_TRUST_EXTENDED_KEY_USAGE: spec(false, 'A certificate extended key usage does not allow this purpose.', 'الاستخدام الموسع لمفتاح إحدى الشهادات لا يسمح بهذا الغرض.'),
  ERR_TRUST_NAME_CONSTRAINTS: spec(false, 'A name in the certificate violates a CA name constraint.', 'اسم في الشهادة يخالف قيود الأسماء لجهة التصديق.'),
  ERR_TRUST_UNKNOWN_CRITICAL_EXTENSION: spec(false, 'A certificate has a critical extension that is not understood.', 'تحتوي إحدى الشهادات على امتداد حرج غير معروف.'),
  ERR_TRUST_PEER_NAME_MISMATCH: spec(false, 'The certificate does not name the expected peer.', 'الشهادة لا تحمل اسم الطرف المتوقع.'),
  // Trust list status and identity binding
  ERR_TRUST_CA_NOT_GRANTED: spec(false, 'The CA is not in granted status on the trust list at that time.', 'جهة التصديق ليست في حالة معتمدة في قائمة الثقة في ذلك الوقت.'),
  ERR_TRUST_IDENTITY_MISSING: spec(false, 'The certificate carries no GCC client identity (SAN URI urn:gcc:client:...).', 'لا تحمل الشهادة هوية عميل خليجية (SAN URI urn:gcc:client:...).'),
  ERR_TRUST_IDENTITY_STATE_MISMATCH: spec(false, "The identity's member state is not the state that lists the certificate's CA.", 'الدولة العضو في الهوية ليست الدولة التي تدرج جهة التصديق للشهادة.'),
  // Revocation
  ERR_TRUST_CERT_REVOKED: spec(false, 'The certificate has been revoked.', 'تم إلغاء الشهادة.'),
  ERR_TRUST_CERT_ON_HOLD: spec(false, 'The certificate is suspended (certificateHold).', 'الشهادة معلقة (certificateHold).'),
  ERR_TRUST_REVOCATION_UNKNOWN: spec(true, 'The revocation status could not be established; refused (fail closed).', 'تعذر التحقق من حالة إلغاء الشهادة؛ تم الرفض احتياطًا.'),
  ERR_TRUST_CRL_INVALID: spec(false, 'The CRL is malformed, not signed by an authorised issuer, or has an unknown critical extension.', 'قائمة الإلغاء تالفة أو غير موقعة من جهة مخولة أو تحتوي امتدادًا حرجًا غير معروف.'),
  ERR_TRUST_CRL_STALE: spec(true, 'The CRL is not current (past nextUpdate or not yet valid).', 'قائمة الإلغاء غير محدّثة (تجاوزت موعد التحديث التالي أو لم تسرِ بعد).'),
  ERR_TRUST_OCSP_INVALID: spec(false, 'The OCSP response is malformed, unsuccessful or badly signed.', 'استجابة OCSP تالفة أو غير ناجحة أو توقيعها غير صحيح.'),
  ERR_TRUST_OCSP_UNAUTHORIZED_RESPONDER: spec(false, 'The OCSP response is not signed by the CA or a responder it authorised (RFC 6960 §4.2.2.2).', 'استجابة OCSP غير موقعة من جهة التصديق أو من مستجيب مخول منها.'),
  ERR_TRUST_OCSP_STALE: spec(true, 'The OCSP response is outside its freshness window.', 'استجابة OCSP خارج نافذة الحداثة.'),
  ERR_TRUST_OCSP_NONCE_MISMATCH: spec(false, 'The OCSP response nonce does not match the request.', 'رقم الاستخدام الواحد في استجابة OCSP لا يطابق الطلب.'),
  ERR_TRUST_FETCH_FAILED: spec(true, 'A revocation, trust-list or timestamp server could not be reached.', 'تعذر الوصول إلى خادم الإلغاء أو قائمة الثقة أو الختم الزمني.'),
  // Trust list
  ERR_TRUST_LIST_INVALID: spec(false, 'The trust list does not match its schema.', 'قائمة الثقة لا تطابق مخططها.'),
  ERR_TRUST_LIST_BAD_SIGNATURE: spec(false, 'The trust list signature does not verify.', 'توقيع قائمة الثقة غير صحيح.'),
  ERR_TRUST_LIST_UNTRUSTED_OPERATOR: spec(false, "The trust list signer does not chain to the pinned operator anchor.", 'موقّع قائمة الثقة لا يرتبط بجهة التشغيل المثبتة.'),
  ERR_TRUST_LIST_ROLLBACK: spec(false, 'The trust list sequence number is lower than the one already held.', 'الرقم التسلسلي لقائمة الثقة أقل من الرقم المعتمد حاليًا.'),
  ERR_TRUST_LIST_EXPIRED: spec(false, 'The trust list is past nextUpdate plus the grace period; traffic is refused.', 'انتهت صلاحية قائمة الثقة بعد فترة السماح؛ تم رفض الحركة.'),
  ERR_TRUST_LIST_NOT_LOADED: spec(true, 'No trust list has been loaded yet.', 'لم يتم تحميل قائمة الثقة بعد.'),
  // Signatures (JWS)
  ERR_TRUST_JWS_MALFORMED: spec(false, 'The signature is not a well-formed detached JWS.', 'التوقيع ليس JWS منفصلًا سليم البنية.'),
  ERR_TRUST_JWS_ALG_NOT_ALLOWED: spec(false, 'The JWS algorithm is not allowed.', 'خوارزمية JWS غير مسموح بها.'),
  ERR_TRUST_JWS_CRIT: spec(false, 'The JWS uses an unknown or missing critical header parameter.', 'يستخدم JWS معاملًا حرجًا غير معروف أو مفقودًا.'),
  ERR_TRUST_JWS_BAD_SIGNATURE: spec(false, 'The JWS signature does not verify.', 'توقيع JWS غير صحيح.'),
  ERR_TRUST_JWS_BINDING_MISMATCH: spec(false, 'The signed request, response or event does not match what was received.', 'الطلب أو الاستجابة أو الحدث الموقع لا يطابق ما تم استلامه.'),
  ERR_TRUST_JWS_REPLAY: spec(false, 'This signed request was already received (nonce replay).', 'تم استلام هذا الطلب الموقع من قبل (إعادة استخدام الرقم الفريد).'),
  ERR_TRUST_JWS_STALE: spec(false, 'The signature time is outside the accepted window.', 'وقت التوقيع خارج النافذة المقبولة.'),
  // Timestamps (RFC 3161)
  ERR_TRUST_TSP_INVALID: spec(false, 'The timestamp response is malformed, unsuccessful or badly signed.', 'استجابة الختم الزمني تالفة أو غير ناجحة أو توقيعها غير صحيح.'),
  ERR_TRUST_TSP_MISMATCH: spec(false, 'The timestamp does not cover the expected data or nonce.', 'الختم الزمني لا يغطي البيانات أو الرقم المتوقع.'),
  ERR_TRUST_TSA_NOT_LISTED: spec(false, 'The timestamp authority is not on the trust list.', 'جهة الختم الزمني غير مدرجة في قائمة الثقة.'),
  // PKI tooling
  ERR_TRUST_PKI_EXISTS: spec(false, 'A PKI already exists in the target directory; pass force to overwrite.', 'توجد بنية مفاتيح عامة في المجلد الهدف؛ استخدم خيار الفرض للاستبدال.'),
} as const satisfies Record<string, TrustErrorCodeSpec>;

export type TrustErrorCode = keyof typeof TRUST_ERROR_CODES;

export function isTrustErrorCode(value: unknown): value is TrustErrorCode {
  return typeof value === 'string' && Object.hasOwn(TRUST_ERROR_CODES, value);
}
