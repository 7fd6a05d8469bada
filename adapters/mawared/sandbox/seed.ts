/**
 * Seed data of the Mawared sandbox. Entity names are the real names of public bodies; codes and
 * every figure (headcounts) are synthetic demo values, not official statistics.
 */
export interface EntityRow {
  readonly State: 'BH' | 'KW' | 'OM' | 'QA' | 'SA' | 'AE';
  readonly Code: string;
  readonly NameEn: string;
  readonly NameAr: string;
  readonly Kind: 'Ministry' | 'Authority' | 'Council' | 'Agency' | 'Corporation';
  readonly Headcount: number;
}

export const ENTITY_ROWS: readonly EntityRow[] = [
  { State: 'QA', Code: 'MOF', NameEn: 'Ministry of Finance', NameAr: 'وزارة المالية', Kind: 'Ministry', Headcount: 1840 },
  { State: 'QA', Code: 'CSGDB', NameEn: 'Civil Service and Government Development Bureau', NameAr: 'ديوان الخدمة المدنية والتطوير الحكومي', Kind: 'Agency', Headcount: 620 },
  { State: 'QA', Code: 'MOPH', NameEn: 'Ministry of Public Health', NameAr: 'وزارة الصحة العامة', Kind: 'Ministry', Headcount: 5310 },
  { State: 'QA', Code: 'MCIT', NameEn: 'Ministry of Communications and Information Technology', NameAr: 'وزارة الاتصالات وتكنولوجيا المعلومات', Kind: 'Ministry', Headcount: 970 },
  { State: 'QA', Code: 'MOEHE', NameEn: 'Ministry of Education and Higher Education', NameAr: 'وزارة التربية والتعليم والتعليم العالي', Kind: 'Ministry', Headcount: 11240 },
  { State: 'QA', Code: 'PSA', NameEn: 'National Planning Council', NameAr: 'مجلس التخطيط الوطني', Kind: 'Council', Headcount: 410 },
  { State: 'SA', Code: 'MOF', NameEn: 'Ministry of Finance', NameAr: 'وزارة المالية', Kind: 'Ministry', Headcount: 3120 },
  { State: 'SA', Code: 'MHRSD', NameEn: 'Ministry of Human Resources and Social Development', NameAr: 'وزارة الموارد البشرية والتنمية الاجتماعية', Kind: 'Ministry', Headcount: 8450 },
  { State: 'SA', Code: 'DGA', NameEn: 'Digital Government Authority', NameAr: 'هيئة الحكومة الرقمية', Kind: 'Authority', Headcount: 730 },
  { State: 'AE', Code: 'FAHR', NameEn: 'Federal Authority for Government Human Resources', NameAr: 'الهيئة الاتحادية للموارد البشرية الحكومية', Kind: 'Authority', Headcount: 390 },
  { State: 'KW', Code: 'CSC', NameEn: 'Civil Service Bureau', NameAr: 'ديوان الخدمة المدنية', Kind: 'Agency', Headcount: 1260 },
  { State: 'BH', Code: 'CSB', NameEn: 'Civil Service Bureau', NameAr: 'ديوان الخدمة المدنية', Kind: 'Agency', Headcount: 480 },
  { State: 'OM', Code: 'MOL', NameEn: 'Ministry of Labour', NameAr: 'وزارة العمل', Kind: 'Ministry', Headcount: 2210 },
];
