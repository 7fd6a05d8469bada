/**
 * Name pools for the sandbox's synthetic people: common given names and family names of each
 * member state, in English transliteration and Arabic script. Combinations are random; any likeness
 * to a real person is coincidence.
 */
export interface NamePair {
  readonly en: string;
  readonly ar: string;
}

const pairs = (list: ReadonlyArray<readonly [string, string]>): readonly NamePair[] => list.map(([en, ar]) => ({ en, ar }));

export const MALE_GIVEN_NAMES = pairs([
  ['Mohammed', 'محمد'], ['Abdullah', 'عبدالله'], ['Ahmed', 'أحمد'], ['Khalid', 'خالد'], ['Hamad', 'حمد'],
  ['Jassim', 'جاسم'], ['Ali', 'علي'], ['Saud', 'سعود'], ['Faisal', 'فيصل'], ['Nasser', 'ناصر'],
  ['Sultan', 'سلطان'], ['Youssef', 'يوسف'], ['Omar', 'عمر'], ['Rashid', 'راشد'], ['Salem', 'سالم'],
  ['Majed', 'ماجد'], ['Fahad', 'فهد'], ['Turki', 'تركي'], ['Abdulaziz', 'عبدالعزيز'], ['Mubarak', 'مبارك'],
  ['Saif', 'سيف'], ['Hamdan', 'حمدان'], ['Ibrahim', 'إبراهيم'], ['Abdulrahman', 'عبدالرحمن'], ['Mansour', 'منصور'],
  ['Badr', 'بدر'], ['Talal', 'طلال'], ['Hassan', 'حسن'], ['Waleed', 'وليد'], ['Yaqoub', 'يعقوب'],
]);

export const FEMALE_GIVEN_NAMES = pairs([
  ['Fatima', 'فاطمة'], ['Maryam', 'مريم'], ['Noura', 'نورة'], ['Aisha', 'عائشة'], ['Hessa', 'حصة'],
  ['Moza', 'موزة'], ['Sara', 'سارة'], ['Latifa', 'لطيفة'], ['Reem', 'ريم'], ['Shaikha', 'شيخة'],
  ['Amna', 'آمنة'], ['Hind', 'هند'], ['Dana', 'دانة'], ['Lulwa', 'لولوة'], ['Alanoud', 'العنود'],
  ['Asma', 'أسماء'], ['Mariam', 'مريم'], ['Khawla', 'خولة'], ['Munira', 'منيرة'], ['Jawaher', 'جواهر'],
]);

/** Family names by nationality (ISO 3166-1 alpha-2); `ARAB` serves the Arab expatriate nationalities. */
export const FAMILY_NAMES: Readonly<Record<string, readonly NamePair[]>> = {
  QA: pairs([
    ['Al-Kuwari', 'الكواري'], ['Al-Marri', 'المري'], ['Al-Mohannadi', 'المهندي'], ['Al-Sulaiti', 'السليطي'], ['Al-Kaabi', 'الكعبي'],
    ['Al-Naimi', 'النعيمي'], ['Al-Emadi', 'العمادي'], ['Al-Hajri', 'الهاجري'], ['Al-Khulaifi', 'الخليفي'], ['Al-Mannai', 'المناعي'],
  ]),
  SA: pairs([
    ['Al-Qahtani', 'القحطاني'], ['Al-Otaibi', 'العتيبي'], ['Al-Ghamdi', 'الغامدي'], ['Al-Zahrani', 'الزهراني'], ['Al-Shehri', 'الشهري'],
    ['Al-Dosari', 'الدوسري'], ['Al-Harbi', 'الحربي'], ['Al-Mutairi', 'المطيري'],
  ]),
  AE: pairs([['Al-Mansoori', 'المنصوري'], ['Al-Hammadi', 'الحمادي'], ['Al-Shamsi', 'الشامسي'], ['Al-Ketbi', 'الكتبي'], ['Al-Mazrouei', 'المزروعي'], ['Al-Falasi', 'الفلاسي']]),
  KW: pairs([['Al-Ajmi', 'العجمي'], ['Al-Rashidi', 'الرشيدي'], ['Al-Enezi', 'العنزي'], ['Al-Azmi', 'العازمي'], ['Al-Mutawa', 'المطوع'], ['Al-Kandari', 'الكندري']]),
  BH: pairs([['Al-Jalahma', 'الجلاهمة'], ['Al-Musallam', 'المسلم'], ['Al-Aradi', 'العرادي'], ['Fakhro', 'فخرو'], ['Al-Sayed', 'السيد'], ['Kanoo', 'كانو']]),
  OM: pairs([['Al-Balushi', 'البلوشي'], ['Al-Harthy', 'الحارثي'], ['Al-Hinai', 'الهنائي'], ['Al-Rawahi', 'الرواحي'], ['Al-Maamari', 'المعمري'], ['Al-Saadi', 'السعدي']]),
  ARAB: pairs([['Hassan', 'حسن'], ['Ibrahim', 'إبراهيم'], ['Mahmoud', 'محمود'], ['Abdelrahman', 'عبدالرحمن'], ['Haddad', 'حداد'], ['Khoury', 'خوري'], ['Nasr', 'نصر'], ['Saleh', 'صالح']]),
};

/** Full names of non-Arab expatriates, with the Arabic transliteration Mawared stores. */
export const EXPATRIATE_NAMES: Readonly<Record<string, { readonly male: readonly NamePair[]; readonly female: readonly NamePair[] }>> = {
  IN: {
    male: pairs([['Rajesh Kumar', 'راجيش كومار'], ['Anil Menon', 'أنيل مينون'], ['Suresh Nair', 'سوريش ناير'], ['Vikram Iyer', 'فيكرام آيير']]),
    female: pairs([['Priya Nair', 'بريا ناير'], ['Anjali Sharma', 'أنجالي شارما'], ['Deepa Pillai', 'ديبا بيلاي']]),
  },
  PK: {
    male: pairs([['Imran Khan', 'عمران خان'], ['Bilal Ahmed', 'بلال أحمد'], ['Usman Tariq', 'عثمان طارق']]),
    female: pairs([['Ayesha Siddiqui', 'عائشة صديقي'], ['Sana Malik', 'ثناء مالك']]),
  },
  PH: {
    male: pairs([['Jose Reyes', 'خوسيه رييس'], ['Mark Santos', 'مارك سانتوس'], ['Paolo Cruz', 'باولو كروز']]),
    female: pairs([['Maria Santos', 'ماريا سانتوس'], ['Grace Villanueva', 'غريس فيلانويفا'], ['Joy Bautista', 'جوي باوتيستا']]),
  },
  GB: {
    male: pairs([['James Wilson', 'جيمس ويلسون'], ['David Clarke', 'ديفيد كلارك']]),
    female: pairs([['Sarah Thompson', 'سارة طومسون'], ['Emma Hughes', 'إيما هيوز']]),
  },
};

/** Nationalities of Arab expatriates (names from `ARAB`). */
export const ARAB_EXPATRIATE_NATIONALITIES = ['EG', 'JO', 'LB', 'SD', 'TN', 'SY'] as const;
export const OTHER_EXPATRIATE_NATIONALITIES = ['IN', 'PK', 'PH', 'GB'] as const;

/** ISO 3166-1 numeric codes, as used inside Qatari ID numbers. */
export const ISO_NUMERIC: Readonly<Record<string, string>> = {
  QA: '634', SA: '682', AE: '784', KW: '414', BH: '048', OM: '512',
  EG: '818', JO: '400', LB: '422', SD: '729', TN: '788', SY: '760', IN: '356', PK: '586', PH: '608', GB: '826',
};
