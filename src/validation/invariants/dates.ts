/**
 * The R4 date patterns accept 2023-02-30; the spec says "Dates SHALL be valid dates"
 * (https://hl7.org/fhir/R4/datatypes.html#date). This checks the calendar once the pattern
 * (schema layer) has passed.
 */
const DATE_PART = /^(\d{4})-(\d{2})-(\d{2})/;

export function isCalendarDate(value: string): boolean {
  const m = DATE_PART.exec(value);
  if (!m) return true; // year or year-month only: nothing more to check
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  // Month 13 or day 45 fail the schema's pattern already; report only what the pattern lets through.
  if (days === undefined || day < 1 || day > 31) return true;
  return day <= days;
}


