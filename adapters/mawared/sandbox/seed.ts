import {
  ARAB_EXPATRIATE_NATIONALITIES,
  EXPATRIATE_NAMES,
  FAMILY_NAMES,
  FEMALE_GIVEN_NAMES,
  ISO_NUMERIC,
  MALE_GIVEN_NAMES,
  OTHER_EXPATRIATE_NATIONALITIES,
  type NamePair,
} from './seed-names.js';

/**
 * Seed data of the Mawared sandbox, generated deterministically in memory at start (a seeded PRNG,
 * no data files). Entity names are the real names of public bodies; codes, headcounts, people,
 * salaries and budgets are synthetic demo values, not official statistics.
 *
 * Rows use Mawared's OData property names (PascalCase), as the upstream returns them.
 */
export type StateCode = 'BH' | 'KW' | 'OM' | 'QA' | 'SA' | 'AE';
export const STATE_CODES: readonly StateCode[] = ['BH', 'KW', 'OM', 'QA', 'SA', 'AE'];

export interface EntityRow {
  readonly State: StateCode;
  readonly Code: string;
  readonly NameEn: string;
  readonly NameAr: string;
  readonly Kind: 'Ministry' | 'Authority' | 'Council' | 'Agency' | 'Corporation';
  readonly Headcount: number;
  readonly ParentState: StateCode | null;
  readonly ParentCode: string | null;
  readonly Currency: string;
}

export interface UnitRow {
  readonly Id: string;
  readonly EntityState: StateCode;
  readonly EntityCode: string;
  readonly ParentId: string | null;
  readonly Level: number;
  readonly NameEn: string;
  readonly NameAr: string;
}

export interface PositionRow {
  readonly Id: string;
  readonly UnitId: string;
  readonly EntityState: StateCode;
  readonly EntityCode: string;
  readonly TitleEn: string;
  readonly TitleAr: string;
  readonly Grade: string;
  readonly Vacant: boolean;
  readonly HolderEmployeeNumber: string | null;
}

export type EmployeeStatusValue = 'Active' | 'OnLeave' | 'Seconded' | 'Ended';

export interface EmployeeRow {
  readonly EmployeeNumber: string;
  readonly NationalId: string;
  readonly IssuingState: StateCode;
  readonly Nationality: string;
  readonly NameEn: string;
  readonly NameAr: string;
  readonly Gender: 'Female' | 'Male';
  readonly DateOfBirth: string;
  readonly EntityState: StateCode;
  readonly EntityCode: string;
  readonly UnitId: string;
  readonly PositionId: string | null;
  readonly Grade: string;
  readonly HireDate: string;
  readonly Status: EmployeeStatusValue;
  readonly WorkArrangement: 'FullTime' | 'PartTime' | 'Remote';
}

export interface EmploymentRecordRow {
  readonly Id: string;
  readonly EmployeeNumber: string;
  readonly Kind: 'Appointment' | 'Promotion' | 'Transfer' | 'Secondment';
  readonly EntityState: StateCode;
  readonly EntityCode: string;
  readonly HostState: StateCode | null;
  readonly HostCode: string | null;
  readonly TitleEn: string;
  readonly TitleAr: string;
  readonly Grade: string;
  readonly StartDate: string;
  readonly EndDate: string | null;
}

export interface PayrollRow {
  readonly Id: string;
  readonly EmployeeNumber: string;
  readonly Month: string;
  readonly Currency: string;
  readonly Basic: number;
  readonly Allowances: number;
  readonly Gross: number;
  readonly Deductions: number;
  readonly Net: number;
}

export interface BudgetLineRow {
  readonly Id: string;
  readonly EntityState: StateCode;
  readonly EntityCode: string;
  readonly FiscalYear: number;
  readonly LineCode: string;
  readonly NameEn: string;
  readonly NameAr: string;
  readonly Currency: string;
  readonly Appropriated: number;
  readonly Committed: number;
  readonly Spent: number;
}

/** The sandbox's "today": payroll runs to this month, the current fiscal year is in progress. */
export const SEED_AS_OF = '2026-10-31';
/** 24 months of payroll, 2024-11 to 2026-10. */
export const PAYROLL_MONTHS: readonly string[] = Array.from({ length: 24 }, (_, i) => {
  const index = 2024 * 12 + 10 + i; // 2024-11 is month index 10 of 2024
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
});
export const FISCAL_YEARS: readonly number[] = [2024, 2025, 2026];

const CURRENCY: Readonly<Record<StateCode, { code: string; qarPerUnit: number; decimals: number }>> = {
  QA: { code: 'QAR', qarPerUnit: 1, decimals: 2 },
  SA: { code: 'SAR', qarPerUnit: 0.97, decimals: 2 },
  AE: { code: 'AED', qarPerUnit: 0.99, decimals: 2 },
  KW: { code: 'KWD', qarPerUnit: 11.85, decimals: 3 },
  BH: { code: 'BHD', qarPerUnit: 9.66, decimals: 3 },
  OM: { code: 'OMR', qarPerUnit: 9.46, decimals: 3 },
};

/** QAR per unit of an ISO 4217 currency of a member state. */
export function qarPerUnit(currency: string): number | undefined {
  return Object.values(CURRENCY).find((c) => c.code === currency)?.qarPerUnit;
}

type EntitySeed = readonly [StateCode, string, string, string, EntityRow['Kind'], number, string?];

const ENTITY_SEEDS: readonly EntitySeed[] = [
  ['QA', 'MOF', 'Ministry of Finance', 'وزارة المالية', 'Ministry', 1840],
  ['QA', 'CSGDB', 'Civil Service and Government Development Bureau', 'ديوان الخدمة المدنية والتطوير الحكومي', 'Agency', 620],
  ['QA', 'MOPH', 'Ministry of Public Health', 'وزارة الصحة العامة', 'Ministry', 5310],
  ['QA', 'MCIT', 'Ministry of Communications and Information Technology', 'وزارة الاتصالات وتكنولوجيا المعلومات', 'Ministry', 970],
  ['QA', 'MOEHE', 'Ministry of Education and Higher Education', 'وزارة التربية والتعليم والتعليم العالي', 'Ministry', 11240],
  ['QA', 'PSA', 'National Planning Council', 'مجلس التخطيط الوطني', 'Council', 410],
  ['QA', 'GRSIA', 'General Retirement and Social Insurance Authority', 'الهيئة العامة للتقاعد والتأمينات الاجتماعية', 'Authority', 540],
  ['QA', 'IPA', 'Institute of Public Administration', 'معهد الإدارة العامة', 'Agency', 150, 'CSGDB'],
  ['SA', 'MOF', 'Ministry of Finance', 'وزارة المالية', 'Ministry', 3120],
  ['SA', 'MHRSD', 'Ministry of Human Resources and Social Development', 'وزارة الموارد البشرية والتنمية الاجتماعية', 'Ministry', 8450],
  ['SA', 'DGA', 'Digital Government Authority', 'هيئة الحكومة الرقمية', 'Authority', 730],
  ['SA', 'GOSI', 'General Organization for Social Insurance', 'المؤسسة العامة للتأمينات الاجتماعية', 'Corporation', 4200, 'MHRSD'],
  ['AE', 'FAHR', 'Federal Authority for Government Human Resources', 'الهيئة الاتحادية للموارد البشرية الحكومية', 'Authority', 390],
  ['AE', 'MOF', 'Ministry of Finance', 'وزارة المالية', 'Ministry', 1450],
  ['AE', 'TDRA', 'Telecommunications and Digital Government Regulatory Authority', 'هيئة تنظيم الاتصالات والحكومة الرقمية', 'Authority', 610],
  ['KW', 'CSC', 'Civil Service Bureau', 'ديوان الخدمة المدنية', 'Agency', 1260],
  ['KW', 'CAIT', 'Central Agency for Information Technology', 'الجهاز المركزي لتكنولوجيا المعلومات', 'Agency', 880],
  ['BH', 'CSB', 'Civil Service Bureau', 'ديوان الخدمة المدنية', 'Agency', 480],
  ['BH', 'IGA', 'Information & eGovernment Authority', 'هيئة المعلومات والحكومة الإلكترونية', 'Authority', 720],
  ['OM', 'MOL', 'Ministry of Labour', 'وزارة العمل', 'Ministry', 2210],
  ['OM', 'MTCIT', 'Ministry of Transport, Communications and Information Technology', 'وزارة النقل والاتصالات وتقنية المعلومات', 'Ministry', 1930],
];

const HEAD_OFFICE: Readonly<Record<EntityRow['Kind'], NamePair>> = {
  Ministry: { en: "Minister's Office", ar: 'مكتب الوزير' },
  Authority: { en: "President's Office", ar: 'مكتب الرئيس' },
  Council: { en: "Secretary-General's Office", ar: 'مكتب الأمين العام' },
  Agency: { en: "President's Office", ar: 'مكتب الرئيس' },
  Corporation: { en: "Governor's Office", ar: 'مكتب المحافظ' },
};

const DEPARTMENTS: ReadonlyArray<{ readonly name: NamePair; readonly sections: readonly NamePair[] }> = [
  { name: { en: 'Human Resources Department', ar: 'إدارة الموارد البشرية' }, sections: [{ en: 'Recruitment Section', ar: 'قسم التوظيف' }, { en: 'Payroll and Benefits Section', ar: 'قسم الرواتب والمزايا' }, { en: 'Training and Development Section', ar: 'قسم التدريب والتطوير' }] },
  { name: { en: 'Financial Affairs Department', ar: 'إدارة الشؤون المالية' }, sections: [{ en: 'Budget Section', ar: 'قسم الموازنة' }, { en: 'Accounts Section', ar: 'قسم الحسابات' }, { en: 'Procurement Section', ar: 'قسم المشتريات' }] },
  { name: { en: 'Information Technology Department', ar: 'إدارة تقنية المعلومات' }, sections: [{ en: 'Infrastructure Section', ar: 'قسم البنية التحتية' }, { en: 'Applications Section', ar: 'قسم التطبيقات' }, { en: 'Information Security Section', ar: 'قسم أمن المعلومات' }] },
  { name: { en: 'Legal Affairs Department', ar: 'إدارة الشؤون القانونية' }, sections: [{ en: 'Contracts Section', ar: 'قسم العقود' }, { en: 'Legislation Section', ar: 'قسم التشريعات' }] },
  { name: { en: 'Strategic Planning Department', ar: 'إدارة التخطيط الاستراتيجي' }, sections: [{ en: 'Performance Section', ar: 'قسم قياس الأداء' }, { en: 'Projects Section', ar: 'قسم المشاريع' }] },
  { name: { en: 'Internal Audit Department', ar: 'إدارة التدقيق الداخلي' }, sections: [{ en: 'Financial Audit Section', ar: 'قسم التدقيق المالي' }, { en: 'Compliance Section', ar: 'قسم الامتثال' }] },
  { name: { en: 'Public Relations and Communication Department', ar: 'إدارة العلاقات العامة والاتصال' }, sections: [{ en: 'Media Section', ar: 'قسم الإعلام' }, { en: 'Customer Service Section', ar: 'قسم خدمة العملاء' }] },
  { name: { en: 'Administrative Affairs Department', ar: 'إدارة الشؤون الإدارية' }, sections: [{ en: 'Facilities Section', ar: 'قسم المرافق' }, { en: 'Archives Section', ar: 'قسم الأرشيف' }] },
];

/** Job titles by grade band (grades G01..G12). */
const TITLES: ReadonlyArray<readonly NamePair[]> = [
  [{ en: 'Clerk', ar: 'كاتب' }, { en: 'Administrative Assistant', ar: 'مساعد إداري' }, { en: 'Technician', ar: 'فني' }],
  [{ en: 'Specialist', ar: 'أخصائي' }, { en: 'Accountant', ar: 'محاسب' }, { en: 'Systems Analyst', ar: 'محلل نظم' }, { en: 'Legal Researcher', ar: 'باحث قانوني' }],
  [{ en: 'Senior Specialist', ar: 'أخصائي أول' }, { en: 'Section Head', ar: 'رئيس قسم' }, { en: 'Expert', ar: 'خبير' }],
  [{ en: 'Department Director', ar: 'مدير إدارة' }, { en: 'Advisor', ar: 'مستشار' }, { en: 'Assistant Undersecretary', ar: 'وكيل مساعد' }],
];

const BUDGET_LINES: ReadonlyArray<{ readonly code: string; readonly name: NamePair; readonly share: number }> = [
  { code: '1', name: { en: 'Salaries and wages', ar: 'الرواتب والأجور' }, share: 0.52 },
  { code: '2', name: { en: 'Goods and services', ar: 'السلع والخدمات' }, share: 0.18 },
  { code: '3', name: { en: 'Minor capital expenditure', ar: 'المصروفات الرأسمالية الثانوية' }, share: 0.06 },
  { code: '4', name: { en: 'Major projects', ar: 'المشاريع الرئيسية' }, share: 0.16 },
  { code: '5', name: { en: 'Information technology', ar: 'تقنية المعلومات' }, share: 0.08 },
];

export interface SeedData {
  readonly entities: readonly EntityRow[];
  readonly units: readonly UnitRow[];
  readonly positions: readonly PositionRow[];
  readonly employees: readonly EmployeeRow[];
  readonly employmentRecords: readonly EmploymentRecordRow[];
  readonly budgetLines: readonly BudgetLineRow[];
  /** One employee's payroll rows, oldest first (generated on first use, then kept). */
  payrollFor(employeeNumber: string): readonly PayrollRow[];
  /** Every payroll row (about 120,000), generated on first use. */
  allPayroll(): readonly PayrollRow[];
}

/** mulberry32: a small, fast, seedable PRNG; the same seed always gives the same data. */
function createRandom(seed: number): { next(): number; int(min: number, max: number): number; pick<T>(list: readonly T[]): T; chance(p: number): boolean } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T,
    chance: (p) => next() < p,
  };
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const isoDate = (year: number, month: number, day: number): string => `${year}-${pad(month, 2)}-${pad(day, 2)}`;
const dayBefore = (date: string): string => new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
const gradeName = (grade: number): string => `G${pad(grade, 2)}`;

function roundMoney(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** Builds the whole data set: about 5,400 employees with history and positions, in well under a second; payroll on demand. */
export function generateSeedData(seed = 20261031): SeedData {
  const random = createRandom(seed);
  const entities: EntityRow[] = ENTITY_SEEDS.map(([state, code, nameEn, nameAr, kind, headcount, parent]) => ({
    State: state,
    Code: code,
    NameEn: nameEn,
    NameAr: nameAr,
    Kind: kind,
    Headcount: headcount,
    ParentState: parent !== undefined ? state : null,
    ParentCode: parent ?? null,
    Currency: CURRENCY[state].code,
  }));

  const units: UnitRow[] = [];
  const sectionsByEntity = new Map<EntityRow, UnitRow[]>();
  for (const entity of entities) {
    const prefix = `${entity.State}-${entity.Code}-U`;
    const root: UnitRow = { Id: `${prefix}00`, EntityState: entity.State, EntityCode: entity.Code, ParentId: null, Level: 0, NameEn: HEAD_OFFICE[entity.Kind].en, NameAr: HEAD_OFFICE[entity.Kind].ar };
    units.push(root);
    const sections: UnitRow[] = [];
    const departmentCount = random.int(4, DEPARTMENTS.length);
    for (let d = 0; d < departmentCount; d++) {
      const department = DEPARTMENTS[d] as (typeof DEPARTMENTS)[number];
      const departmentRow: UnitRow = { Id: `${prefix}${d + 1}0`, EntityState: entity.State, EntityCode: entity.Code, ParentId: root.Id, Level: 1, NameEn: department.name.en, NameAr: department.name.ar };
      units.push(departmentRow);
      department.sections.forEach((section, s) => {
        const row: UnitRow = { Id: `${prefix}${d + 1}${s + 1}`, EntityState: entity.State, EntityCode: entity.Code, ParentId: departmentRow.Id, Level: 2, NameEn: section.en, NameAr: section.ar };
        units.push(row);
        sections.push(row);
      });
    }
    sectionsByEntity.set(entity, sections);
  }

  const employees: EmployeeRow[] = [];
  const positions: PositionRow[] = [];
  const records: EmploymentRecordRow[] = [];
  const payrollPlans = new Map<string, PayrollPlan>();
  const idSerials = new Map<string, number>();
  const nextSerial = (key: string): number => {
    const value = (idSerials.get(key) ?? 0) + 1;
    idSerials.set(key, value);
    return value;
  };
  let employeeCounter = 100_000;
  let positionCounter = 0;

  for (const entity of entities) {
    const sections = sectionsByEntity.get(entity) ?? [];
    const sampleSize = Math.min(900, Math.max(80, Math.round(entity.Headcount / 8)));
    const sameStateEntities = entities.filter((e) => e.State === entity.State && e !== entity);
    const otherEntities = entities.filter((e) => e !== entity);
    const otherGcc = STATE_CODES.filter((s) => s !== entity.State);
    const rootUnit = units.find((u) => u.EntityState === entity.State && u.EntityCode === entity.Code && u.Level === 0) as UnitRow;
    for (let i = 0; i < sampleSize; i++) {
      employeeCounter += 1;
      const employeeNumber = `M${employeeCounter}`;
      const female = random.chance(0.4);
      // Nationals, GCC nationals of another member state (cross-border cases), expatriates.
      const roll = random.next();
      const nationality: string =
        roll < 0.55 ? entity.State : roll < 0.68 ? random.pick(otherGcc) : roll < 0.85 ? random.pick(ARAB_EXPATRIATE_NATIONALITIES) : random.pick(OTHER_EXPATRIATE_NATIONALITIES);
      const gccNational = (STATE_CODES as readonly string[]).includes(nationality);
      const issuingState: StateCode = gccNational ? (nationality as StateCode) : entity.State;
      const name = personName(random, nationality, female);
      const birthYear = random.int(1966, 2002);
      const birthMonth = random.int(1, 12);
      const birthDay = random.int(1, 28);
      const nationalId = nationalIdFor(issuingState, nationality, birthYear, birthMonth, birthDay, nextSerial(issuingState));
      const hireYear = Math.min(2026, birthYear + random.int(22, 30));
      const hireDate = isoDate(hireYear, random.int(1, hireYear === 2026 ? 9 : 12), random.int(1, 28));
      const statusRoll = random.next();
      const status: EmployeeStatusValue = statusRoll < 0.84 ? 'Active' : statusRoll < 0.89 ? 'OnLeave' : statusRoll < 0.94 ? 'Seconded' : 'Ended';
      let grade = Math.min(12, Math.max(1, Math.round(1 + (2026 - hireYear) / 3 + random.int(0, 3))));
      const unit = random.chance(0.04) ? rootUnit : random.pick(sections);
      const title = random.pick(TITLES[Math.min(3, Math.floor((grade - 1) / 3))] as readonly NamePair[]);

      // Employment history: appointment (maybe elsewhere, then a transfer), maybe a promotion, maybe a secondment.
      type Draft = Omit<EmploymentRecordRow, 'Id' | 'EndDate' | 'EmployeeNumber'>;
      const drafts: Draft[] = [];
      const transferred = sameStateEntities.length > 0 && random.chance(0.18) && hireYear < 2022;
      const firstGrade = Math.max(1, grade - (random.chance(0.5) ? 1 : 0));
      const firstEntity = transferred ? random.pick(sameStateEntities) : entity;
      drafts.push({ Kind: 'Appointment', EntityState: firstEntity.State, EntityCode: firstEntity.Code, HostState: null, HostCode: null, TitleEn: title.en, TitleAr: title.ar, Grade: gradeName(firstGrade), StartDate: hireDate });
      let cursorYear = hireYear;
      if (transferred) {
        cursorYear = random.int(hireYear + 1, 2022);
        drafts.push({ Kind: 'Transfer', EntityState: entity.State, EntityCode: entity.Code, HostState: null, HostCode: null, TitleEn: title.en, TitleAr: title.ar, Grade: gradeName(firstGrade), StartDate: isoDate(cursorYear, random.int(1, 12), 1) });
      }
      if (firstGrade < grade && cursorYear < 2025) {
        cursorYear = random.int(cursorYear + 1, 2025);
        drafts.push({ Kind: 'Promotion', EntityState: entity.State, EntityCode: entity.Code, HostState: null, HostCode: null, TitleEn: title.en, TitleAr: title.ar, Grade: gradeName(grade), StartDate: isoDate(cursorYear, 1, 1) });
      } else {
        grade = firstGrade;
      }
      if (status === 'Seconded') {
        const host = random.pick(otherEntities);
        drafts.push({ Kind: 'Secondment', EntityState: entity.State, EntityCode: entity.Code, HostState: host.State, HostCode: host.Code, TitleEn: title.en, TitleAr: title.ar, Grade: gradeName(grade), StartDate: isoDate(2026, random.int(1, 6), 1) });
      }
      const lastStart = drafts[drafts.length - 1]?.StartDate ?? hireDate;
      let endDate: string | null = null;
      if (status === 'Ended') {
        const lastStartYear = Number(lastStart.slice(0, 4));
        const endYear = Math.max(lastStartYear, random.int(2024, 2026));
        endDate = isoDate(endYear, endYear === 2026 ? random.int(1, 9) : random.int(1, 12), 28);
        if (endDate <= lastStart) endDate = isoDate(Number(lastStart.slice(0, 4)) + 1, 1, 31);
        if (endDate > SEED_AS_OF) endDate = SEED_AS_OF;
      }
      drafts.forEach((draft, index) => {
        const following = drafts[index + 1];
        records.push({
          Id: `${employeeNumber}-R${index + 1}`,
          EmployeeNumber: employeeNumber,
          Kind: draft.Kind,
          EntityState: draft.EntityState,
          EntityCode: draft.EntityCode,
          HostState: draft.HostState,
          HostCode: draft.HostCode,
          TitleEn: draft.TitleEn,
          TitleAr: draft.TitleAr,
          Grade: draft.Grade,
          StartDate: draft.StartDate,
          EndDate: following !== undefined ? dayBefore(following.StartDate) : endDate,
        });
      });

      let positionId: string | null = null;
      if (status !== 'Ended') {
        positionCounter += 1;
        positionId = `P${pad(positionCounter, 6)}`;
        positions.push({ Id: positionId, UnitId: unit.Id, EntityState: entity.State, EntityCode: entity.Code, TitleEn: title.en, TitleAr: title.ar, Grade: gradeName(grade), Vacant: false, HolderEmployeeNumber: employeeNumber });
      }
      employees.push({
        EmployeeNumber: employeeNumber,
        NationalId: nationalId,
        IssuingState: issuingState,
        Nationality: nationality,
        NameEn: name.en,
        NameAr: name.ar,
        Gender: female ? 'Female' : 'Male',
        DateOfBirth: isoDate(birthYear, birthMonth, birthDay),
        EntityState: entity.State,
        EntityCode: entity.Code,
        UnitId: unit.Id,
        PositionId: positionId,
        Grade: gradeName(grade),
        HireDate: hireDate,
        Status: status,
        WorkArrangement: random.chance(0.86) ? 'FullTime' : random.chance(0.55) ? 'PartTime' : 'Remote',
      });

      // Payroll is generated on first use from this plan: 140,000 rows made eagerly would slow the start.
      payrollPlans.set(employeeNumber, {
        employeeNumber,
        state: entity.State,
        baseQar: 4_500 + grade * 2_600 + random.int(0, 1_500),
        loanQar: random.chance(0.15) ? random.int(5, 25) * 100 : 0,
        gccNational,
        seconded: status === 'Seconded',
        firstMonth: hireDate.slice(0, 7),
        lastMonth: endDate === null ? null : endDate.slice(0, 7),
      });
    }
    // Vacant positions, about one in ten per section.
    for (const section of sections) {
      if (!random.chance(0.6)) continue;
      const grade = random.int(2, 9);
      const title = random.pick(TITLES[Math.min(3, Math.floor((grade - 1) / 3))] as readonly NamePair[]);
      positionCounter += 1;
      positions.push({ Id: `P${pad(positionCounter, 6)}`, UnitId: section.Id, EntityState: entity.State, EntityCode: entity.Code, TitleEn: title.en, TitleAr: title.ar, Grade: gradeName(grade), Vacant: true, HolderEmployeeNumber: null });
    }
  }

  const budgetLines: BudgetLineRow[] = [];
  for (const entity of entities) {
    const currency = CURRENCY[entity.State];
    for (const year of FISCAL_YEARS) {
      // Total appropriation ~ 400,000 QAR per head, growing 4% a year; the current year is 10/12 through.
      const totalQar = entity.Headcount * 400_000 * (1 + 0.04 * (year - 2024)) * (0.9 + random.next() * 0.2);
      const inProgress = year === 2026;
      for (const line of BUDGET_LINES) {
        const appropriated = roundMoney((totalQar * line.share) / currency.qarPerUnit, 0);
        const committed = roundMoney(appropriated * (inProgress ? 0.78 + random.next() * 0.1 : 0.95 + random.next() * 0.04), 0);
        const spent = roundMoney(committed * (inProgress ? 0.8 + random.next() * 0.1 : 0.96 + random.next() * 0.04), 0);
        budgetLines.push({
          Id: `${entity.State}-${entity.Code}-${year}-${line.code}`,
          EntityState: entity.State,
          EntityCode: entity.Code,
          FiscalYear: year,
          LineCode: line.code,
          NameEn: line.name.en,
          NameAr: line.name.ar,
          Currency: currency.code,
          Appropriated: appropriated,
          Committed: committed,
          Spent: spent,
        });
      }
    }
  }

  const payrollCache = new Map<string, readonly PayrollRow[]>();
  const payrollFor = (employeeNumber: string): readonly PayrollRow[] => {
    let rows = payrollCache.get(employeeNumber);
    if (rows === undefined) {
      const plan = payrollPlans.get(employeeNumber);
      rows = plan === undefined ? [] : payrollRows(plan);
      payrollCache.set(employeeNumber, rows);
    }
    return rows;
  };
  let allPayroll: readonly PayrollRow[] | undefined;
  return {
    entities,
    units,
    positions,
    employees,
    employmentRecords: records,
    budgetLines,
    payrollFor,
    allPayroll: () => (allPayroll ??= employees.flatMap((employee) => payrollFor(employee.EmployeeNumber))),
  };
}

interface PayrollPlan {
  readonly employeeNumber: string;
  readonly state: StateCode;
  readonly baseQar: number;
  readonly loanQar: number;
  readonly gccNational: boolean;
  readonly seconded: boolean;
  readonly firstMonth: string;
  readonly lastMonth: string | null;
}

/** Monthly payroll from the later of hire and 2024-11 to the end of service or 2026-10. */
function payrollRows(plan: PayrollPlan): PayrollRow[] {
  const currency = CURRENCY[plan.state];
  const rows: PayrollRow[] = [];
  for (const month of PAYROLL_MONTHS) {
    if (month < plan.firstMonth) continue;
    if (plan.lastMonth !== null && month > plan.lastMonth) break;
    const raise = 1 + 0.03 * (Number(month.slice(0, 4)) - 2024);
    const basicQar = plan.baseQar * raise;
    const allowancesQar = basicQar * 0.42 + (plan.gccNational ? 3_000 : 0) + (plan.seconded ? 1_500 : 0);
    // Pension contributions for nationals (Qatar: 7% of basic, GRSIA); loans repaid by deduction.
    const deductionsQar = (plan.gccNational ? basicQar * 0.07 : 0) + plan.loanQar;
    const basic = roundMoney(basicQar / currency.qarPerUnit, currency.decimals);
    const allowances = roundMoney(allowancesQar / currency.qarPerUnit, currency.decimals);
    const deductions = roundMoney(deductionsQar / currency.qarPerUnit, currency.decimals);
    const gross = roundMoney(basic + allowances, currency.decimals);
    rows.push({ Id: `${plan.employeeNumber}-${month}`, EmployeeNumber: plan.employeeNumber, Month: month, Currency: currency.code, Basic: basic, Allowances: allowances, Gross: gross, Deductions: deductions, Net: roundMoney(gross - deductions, currency.decimals) });
  }
  return rows;
}

function personName(random: ReturnType<typeof createRandom>, nationality: string, female: boolean): NamePair {
  const expatriate = EXPATRIATE_NAMES[nationality];
  if (expatriate !== undefined) return random.pick(female ? expatriate.female : expatriate.male);
  const given = random.pick(female ? FEMALE_GIVEN_NAMES : MALE_GIVEN_NAMES);
  const father = random.pick(MALE_GIVEN_NAMES);
  const family = random.pick(FAMILY_NAMES[nationality] ?? FAMILY_NAMES['ARAB'] ?? []);
  return { en: `${given.en} ${father.en} ${family.en}`, ar: `${given.ar} ${father.ar} ${family.ar}` };
}

/**
 * A national ID in the issuing state's format (see mawared-input.ts for the checks): QA 11 digits
 * (century, birth year, ISO numeric nationality, serial), SA 10 digits (1 citizen, 2 resident),
 * AE 15 digits (784, birth year, serial), KW 12 digits (century, birth date, serial),
 * BH 9 digits (birth year and month, serial), OM 8 digits.
 */
function nationalIdFor(state: StateCode, nationality: string, year: number, month: number, day: number, serial: number): string {
  const century = year >= 2000 ? '3' : '2';
  const yy = pad(year % 100, 2);
  switch (state) {
    case 'QA':
      return `${century}${yy}${ISO_NUMERIC[nationality] ?? '999'}${pad(serial, 5)}`;
    case 'SA':
      return `${nationality === 'SA' ? '1' : '2'}${pad(serial * 7919 % 1_000_000_000, 9)}`;
    case 'AE':
      return `784${year}${pad(serial, 7)}${serial % 10}`;
    case 'KW':
      return `${century}${yy}${pad(month, 2)}${pad(day, 2)}${pad(serial, 5)}`;
    case 'BH':
      return `${yy}${pad(month, 2)}${pad(serial, 5)}`;
    case 'OM':
      return pad(10_000_000 + serial * 37, 8);
  }
}
