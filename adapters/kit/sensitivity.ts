import { Kind, parse, type DocumentNode } from 'graphql';

/**
 * Field sensitivity: every field of every adapter carries `@sensitivity(level: ...)`, which the
 * gateway's access policy reads (default deny for PERSONAL and FINANCIAL). The directive is linked
 * from our own spec URL and kept through composition with `@composeDirective`, so it is present in
 * the supergraph (Federation v2.1+ custom directives). The URL is an identifier, never fetched.
 */
export const SENSITIVITY_SPEC_URL = 'https://specs.gcc-interop.dev/sensitivity/v1.0';

export const SENSITIVITY_LEVELS = ['PUBLIC', 'INTERNAL', 'PERSONAL', 'FINANCIAL'] as const;
export type SensitivityLevel = (typeof SENSITIVITY_LEVELS)[number];

/**
 * What a subgraph SDL must declare to use the directive (copy into the subgraph's schema head;
 * the conformance suite checks it). `@composeDirective` must also be imported from federation.
 */
export const SENSITIVITY_SDL_PREAMBLE = `  @link(url: "${SENSITIVITY_SPEC_URL}", import: ["@sensitivity"])
  @composeDirective(name: "@sensitivity")

"""
How sensitive a field's data is; the gateway's access policy decides who may read each level.
مدى حساسية بيانات الحقل؛ تحدد سياسة الوصول في البوابة من يحق له قراءة كل مستوى.
"""
directive @sensitivity(level: SensitivityLevel!) on FIELD_DEFINITION

"Sensitivity levels / مستويات الحساسية"
enum SensitivityLevel {
  "Open data / بيانات مفتوحة"
  PUBLIC
  "Government-internal data / بيانات حكومية داخلية"
  INTERNAL
  "Personal data of a natural person / بيانات شخصية لشخص طبيعي"
  PERSONAL
  "Financial data (salaries, budgets, spend) / بيانات مالية (رواتب وميزانيات وإنفاق)"
  FINANCIAL
}`;

/**
 * Reads `Type.field -> level` from a subgraph or supergraph SDL. Fields without the directive are
 * absent from the map (the policy treats them as the most restrictive level).
 */
export function readFieldSensitivities(sdl: string | DocumentNode): Map<string, SensitivityLevel> {
  const document = typeof sdl === 'string' ? parse(sdl, { noLocation: true }) : sdl;
  const out = new Map<string, SensitivityLevel>();
  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    for (const field of definition.fields ?? []) {
      const directive = field.directives?.find((d) => d.name.value === 'sensitivity');
      const level = directive?.arguments?.find((a) => a.name.value === 'level')?.value;
      if (level?.kind === Kind.ENUM && (SENSITIVITY_LEVELS as readonly string[]).includes(level.value)) {
        out.set(`${definition.name.value}.${field.name.value}`, level.value as SensitivityLevel);
      }
    }
  }
  return out;
}
