/**
 * One validated, frozen configuration per server (env-schema over a TypeBox schema). A bad
 * value ends start-up with one line naming the variable; docs and .env.example list them all.
 */
import envSchema from 'env-schema';
import ajvFormats from 'ajv-formats';
import type { TObject, Static } from 'typebox';
import { coreErrors } from './errors.ts';

export function loadConfig<S extends TObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<Static<S>> {
  try {
    const data = envSchema<Static<S>>({
      schema,
      data: env,
      dotenv: false,
      ajv: {
        customOptions: (ajv) => {
          // ajv-formats is CommonJS: the default import is its module.exports, whose `default` is the plugin.
          ajvFormats.default(ajv);
          return ajv;
        },
      },
    });
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(schema.properties)) out[key] = (data as Record<string, unknown>)[key];
    return Object.freeze(out) as Readonly<Static<S>>;
  } catch (e) {
    const msg = (e as Error).message.replace(/env\//g, '').replace(/\benv /, '');
    throw coreErrors.KZ_CONFIG_INVALID(msg);
  }
}

/** `.env.example` lines for a schema: description, then KEY=default. */
export function envExample(schema: TObject): string {
  return (
    Object.entries(schema.properties)
      .map(([key, prop]) => {
        const p = prop as { description?: string; default?: unknown };
        return `# ${p.description ?? key}\n${p.default === undefined ? '# ' : ''}${key}=${p.default ?? ''}`;
      })
      .join('\n\n') + '\n'
  );
}
