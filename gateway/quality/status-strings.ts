/** Every label of the status page and the reports, in English and Arabic. */
export type Language = 'en' | 'ar';
export const LANGUAGES: readonly Language[] = ['en', 'ar'];

export interface Bilingual {
  readonly en: string;
  readonly ar: string;
}

const STRINGS = {
  title: { en: 'Service status', ar: 'حالة الخدمات' },
  siteName: { en: 'GCC Interop Gateway', ar: 'بوابة التكامل الحكومي الخليجية' },
  otherLanguage: { en: 'العربية', ar: 'English' },
  intro: {
    en: 'Quality of the shared services as the gateway measures it: every cross-border call, by service and by member state, plus synthetic probes. The page refreshes every minute.',
    ar: 'جودة الخدمات المشتركة كما تقيسها البوابة: كل استدعاء عابر للحدود، بحسب الخدمة والدولة العضو، إضافة إلى الفحوص الاصطناعية. تتحدث الصفحة كل دقيقة.',
  },
  overall: { en: 'Overall', ar: 'الحالة العامة' },
  generatedAt: { en: 'Generated', ar: 'وقت الإنشاء' },
  operational: { en: 'Operational', ar: 'تعمل بشكل طبيعي' },
  degraded: { en: 'Degraded', ar: 'أداء متراجع' },
  outage: { en: 'Outage', ar: 'انقطاع' },
  'no-data': { en: 'No data yet', ar: 'لا توجد بيانات بعد' },
  services: { en: 'Services', ar: 'الخدمات' },
  incidents: { en: 'Current incidents', ar: 'الحوادث الجارية' },
  noIncidents: { en: 'No current incidents.', ar: 'لا توجد حوادث جارية.' },
  window: { en: 'Window', ar: 'الفترة' },
  requests: { en: 'Calls', ar: 'الاستدعاءات' },
  failures: { en: 'Failures', ar: 'الإخفاقات' },
  availability: { en: 'Availability', ar: 'التوافر' },
  latencyP50: { en: 'p50 latency', ar: 'زمن الاستجابة p50' },
  latencyP95: { en: 'p95 latency', ar: 'زمن الاستجابة p95' },
  latencyP99: { en: 'p99 latency', ar: 'زمن الاستجابة p99' },
  target: { en: 'Target', ar: 'الهدف' },
  slo: { en: 'Objective', ar: 'الهدف' },
  scope: { en: 'Callers', ar: 'الجهات المتصلة' },
  allStates: { en: 'all member states', ar: 'جميع الدول الأعضاء' },
  errorBudgetLeft: { en: 'Error budget left', ar: 'المتبقي من ميزانية الأخطاء' },
  errorBudget: { en: 'Error budget', ar: 'ميزانية الأخطاء' },
  burnRate1h: { en: 'Burn rate (1 h)', ar: 'معدل الاستهلاك (ساعة)' },
  lastProbe: { en: 'Last probe', ar: 'آخر فحص' },
  probeOk: { en: 'succeeded', ar: 'نجح' },
  probeFailed: { en: 'failed', ar: 'أخفق' },
  noProbe: { en: 'no probe configured', ar: 'لا يوجد فحص مضبوط' },
  satisfaction: { en: 'Satisfaction (30 days)', ar: 'رضا المستخدمين (30 يومًا)' },
  ratings: { en: 'ratings', ar: 'تقييمات' },
  noRatings: { en: 'no ratings yet', ar: 'لا توجد تقييمات بعد' },
  chartAvailability: { en: 'Availability', ar: 'التوافر' },
  chartLatency: { en: 'p95 latency', ar: 'زمن الاستجابة p95' },
  w24h: { en: 'last 24 hours', ar: 'آخر 24 ساعة' },
  w7d: { en: 'last 7 days', ar: 'آخر 7 أيام' },
  w30d: { en: 'last 30 days', ar: 'آخر 30 يومًا' },
  noData: { en: 'no data', ar: 'لا بيانات' },
  since: { en: 'since', ar: 'منذ' },
  region: { en: 'region', ar: 'المنطقة' },
  severityInformation: { en: 'Information', ar: 'معلومات' },
  severityWarning: { en: 'Warning', ar: 'تحذير' },
  severityOutage: { en: 'Outage', ar: 'انقطاع' },
  machineReadable: { en: 'Machine-readable: status.json', ar: 'للأنظمة: status.json' },
  definitions: {
    en: 'A call fails when the service or the gateway is at fault (unreachable, timed out, upstream or gateway error); refusals of bad requests do not count against availability. Windows are counted in whole hours; the error budget over the objective\u2019s period.',
    ar: 'يُعد الاستدعاء فاشلًا إذا كان الخلل من الخدمة أو البوابة (تعذر الوصول أو انتهاء المهلة أو خطأ في النظام الوطني أو البوابة)؛ أما رفض الطلبات غير الصحيحة فلا يُحتسب على التوافر. تُحسب الفترات بساعات كاملة، وميزانية الأخطاء على مدى فترة الهدف.',
  },
  reportTitle: { en: 'Service quality report', ar: 'تقرير جودة الخدمات' },
  month: { en: 'Month', ar: 'الشهر' },
  service: { en: 'Service', ar: 'الخدمة' },
  state: { en: 'Member state', ar: 'الدولة العضو' },
  budgetBurn: { en: 'Error-budget burn', ar: 'استهلاك ميزانية الأخطاء' },
  topErrors: { en: 'Top error codes', ar: 'أكثر رموز الأخطاء' },
  feedback: { en: 'Feedback', ar: 'التقييمات' },
  meanRating: { en: 'Mean rating', ar: 'متوسط التقييم' },
  byChannel: { en: 'By channel', ar: 'بحسب القناة' },
  meets: { en: 'met', ar: 'متحقق' },
  misses: { en: 'missed', ar: 'غير متحقق' },
  reportNote: {
    en: 'UTC calendar month. Error-budget burn is the share of the month\u2019s budget that was spent (failures / allowed failures): above 100 % the objective was missed. The "probe" rows are the gateway\u2019s synthetic probes; "unknown" are callers without a member-state identity.',
    ar: 'شهر ميلادي بالتوقيت العالمي. استهلاك ميزانية الأخطاء هو نسبة ما أُنفق من ميزانية الشهر (الإخفاقات ÷ الإخفاقات المسموح بها): ما زاد على 100 % يعني أن الهدف لم يتحقق. صفوف "probe" هي الفحوص الاصطناعية للبوابة، و"unknown" جهات متصلة بلا هوية دولة عضو.',
  },
} as const satisfies Record<string, Bilingual>;

export type StringKey = keyof typeof STRINGS;

export function t(key: StringKey, language: Language): string {
  return STRINGS[key][language];
}

export const MEMBER_STATE_NAMES: Readonly<Record<string, Bilingual>> = {
  BH: { en: 'Bahrain', ar: 'البحرين' },
  KW: { en: 'Kuwait', ar: 'الكويت' },
  OM: { en: 'Oman', ar: 'عُمان' },
  QA: { en: 'Qatar', ar: 'قطر' },
  SA: { en: 'Saudi Arabia', ar: 'السعودية' },
  AE: { en: 'United Arab Emirates', ar: 'الإمارات' },
  unknown: { en: 'unknown', ar: 'غير معروفة' },
  probe: { en: 'gateway probes', ar: 'فحوص البوابة' },
  all: { en: 'all', ar: 'الكل' },
};

export const CHANNEL_NAMES: Readonly<Record<string, Bilingual>> = {
  WEB: { en: 'Web', ar: 'الويب' },
  APP: { en: 'App', ar: 'التطبيق' },
  CHATBOT: { en: 'Chatbot', ar: 'روبوت المحادثة' },
  SOCIAL: { en: 'Social media', ar: 'التواصل الاجتماعي' },
  CALL_CENTRE: { en: 'Call centre', ar: 'مركز الاتصال' },
  SERVICE_CENTRE: { en: 'Service centre', ar: 'مركز الخدمة' },
  KIOSK: { en: 'Kiosk', ar: 'الخدمة الذاتية' },
};

/** Why a service is not operational, as text. */
export function reasonText(reason: { readonly code: string; readonly value?: number | undefined; readonly state?: string | null | undefined }): Bilingual {
  const value = reason.value !== undefined ? formatNumber(reason.value) : '';
  const scope = reason.state !== undefined && reason.state !== null ? { en: ` (callers from ${MEMBER_STATE_NAMES[reason.state]?.en ?? reason.state})`, ar: ` (الجهات المتصلة من ${MEMBER_STATE_NAMES[reason.state]?.ar ?? reason.state})` } : { en: '', ar: '' };
  switch (reason.code) {
    case 'probes-failing':
      return { en: `The last ${value} probes failed`, ar: `عدد الفحوص الأخيرة المتتالية التي أخفقت: ${value}` };
    case 'probe-failed':
      return { en: 'The last probe failed', ar: 'أخفق آخر فحص' };
    case 'traffic-failing':
      return { en: `${value} % of calls failed in the last 5 minutes`, ar: `أخفق ${value} % من الاستدعاءات خلال آخر 5 دقائق` };
    case 'fast-burn':
      return { en: `Error budget burning ${value}× faster than sustainable${scope.en}`, ar: `تُستهلك ميزانية الأخطاء أسرع بـ ${value} مرة من المعدل المستدام${scope.ar}` };
    case 'slow':
      return { en: `p95 latency over the last hour is ${value} ms, above the objective${scope.en}`, ar: `زمن الاستجابة p95 خلال الساعة الأخيرة ${value} ملّي ثانية، أعلى من الهدف${scope.ar}` };
    default:
      return { en: reason.code, ar: reason.code };
  }
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
