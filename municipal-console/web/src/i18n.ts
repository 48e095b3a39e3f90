/**
 * Japanese and English UI text: the one place the screens import their words from. The words
 * themselves are in i18n/, by screen or area (words-*.ts, assembled in dictionary.ts) and by kind
 * (names, the register's problems, error codes). Level phrases come from @kizuna/contract (fixed
 * official wording).
 */
export { lang, onLang, setLang, type UiLang } from './i18n/ui-lang.ts';
export { t, type Key } from './i18n/dictionary.ts';
export { answerName, bindingReasonText, bindingStatusName, hazardName, langName, levelText } from './i18n/names.ts';
export { registerFieldName, rowProblemText, type RowError } from './i18n/register-words.ts';
export { fieldName } from './i18n/field-names.ts';
export {
  capRefusalWords,
  cardRefusalWords,
  describeError,
  errorText,
  errorWords,
  fieldErrorWords,
} from './i18n/errors.ts';
export { fmtDate, fmtTime } from './i18n/dates.ts';
