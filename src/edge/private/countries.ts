import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError } from '../../private/validation';

/**
 * The 249 officially assigned ISO 3166-1 alpha-2 country codes, sorted.
 *
 * AWS WAF geo-match statements and CloudFront geo restrictions take these
 * codes; user-assigned or reserved ones (`EU`, `UK`, `XK`, `ZZ`) are not
 * countries AWS can locate, so a list containing them is refused at synth
 * time instead of failing the deployment.
 */
export const ISO_3166_ALPHA2_CODES: readonly string[] = [
  'AD', 'AE', 'AF', 'AG', 'AI', 'AL', 'AM', 'AO', 'AQ', 'AR', 'AS', 'AT', 'AU', 'AW', 'AX', 'AZ',
  'BA', 'BB', 'BD', 'BE', 'BF', 'BG', 'BH', 'BI', 'BJ', 'BL', 'BM', 'BN', 'BO', 'BQ', 'BR', 'BS', 'BT', 'BV', 'BW', 'BY', 'BZ',
  'CA', 'CC', 'CD', 'CF', 'CG', 'CH', 'CI', 'CK', 'CL', 'CM', 'CN', 'CO', 'CR', 'CU', 'CV', 'CW', 'CX', 'CY', 'CZ',
  'DE', 'DJ', 'DK', 'DM', 'DO', 'DZ',
  'EC', 'EE', 'EG', 'EH', 'ER', 'ES', 'ET',
  'FI', 'FJ', 'FK', 'FM', 'FO', 'FR',
  'GA', 'GB', 'GD', 'GE', 'GF', 'GG', 'GH', 'GI', 'GL', 'GM', 'GN', 'GP', 'GQ', 'GR', 'GS', 'GT', 'GU', 'GW', 'GY',
  'HK', 'HM', 'HN', 'HR', 'HT', 'HU',
  'ID', 'IE', 'IL', 'IM', 'IN', 'IO', 'IQ', 'IR', 'IS', 'IT',
  'JE', 'JM', 'JO', 'JP',
  'KE', 'KG', 'KH', 'KI', 'KM', 'KN', 'KP', 'KR', 'KW', 'KY', 'KZ',
  'LA', 'LB', 'LC', 'LI', 'LK', 'LR', 'LS', 'LT', 'LU', 'LV', 'LY',
  'MA', 'MC', 'MD', 'ME', 'MF', 'MG', 'MH', 'MK', 'ML', 'MM', 'MN', 'MO', 'MP', 'MQ', 'MR', 'MS', 'MT', 'MU', 'MV', 'MW', 'MX', 'MY', 'MZ',
  'NA', 'NC', 'NE', 'NF', 'NG', 'NI', 'NL', 'NO', 'NP', 'NR', 'NU', 'NZ',
  'OM',
  'PA', 'PE', 'PF', 'PG', 'PH', 'PK', 'PL', 'PM', 'PN', 'PR', 'PS', 'PT', 'PW', 'PY',
  'QA',
  'RE', 'RO', 'RS', 'RU', 'RW',
  'SA', 'SB', 'SC', 'SD', 'SE', 'SG', 'SH', 'SI', 'SJ', 'SK', 'SL', 'SM', 'SN', 'SO', 'SR', 'SS', 'ST', 'SV', 'SX', 'SY', 'SZ',
  'TC', 'TD', 'TF', 'TG', 'TH', 'TJ', 'TK', 'TL', 'TM', 'TN', 'TO', 'TR', 'TT', 'TV', 'TW', 'TZ',
  'UA', 'UG', 'UM', 'US', 'UY', 'UZ',
  'VA', 'VC', 'VE', 'VG', 'VI', 'VN', 'VU',
  'WF', 'WS',
  'YE', 'YT',
  'ZA', 'ZM', 'ZW',
];

/** Codes people reach for that ISO 3166-1 assigns to no country, with the code they mean. */
const COUNTRY_HINTS: { [code: string]: string } = {
  UK: 'the United Kingdom is GB',
  EL: 'Greece is GR',
  EU: 'the European Union is not a country; list its member states',
};

/**
 * Throw unless every code is an upper-case, officially assigned ISO 3166-1
 * alpha-2 code and none is listed twice. Tokens are left for deploy time.
 * Returns the codes.
 */
export function validateCountryCodes(scope: IConstruct, prop: string, codes: string[]): string[] {
  if (Token.isUnresolved(codes)) return codes;
  codes.forEach((code, i) => {
    if (Token.isUnresolved(code) || ISO_3166_ALPHA2_CODES.includes(code)) return;
    const upper = String(code).toUpperCase();
    const hint = ISO_3166_ALPHA2_CODES.includes(upper) ? `codes are upper case: ${upper}` : COUNTRY_HINTS[upper] ?? 'see ISO 3166-1';
    throw propError(scope, `${prop}[${i}]`, code, `must be an officially assigned ISO 3166-1 alpha-2 country code (${hint})`);
  });
  const repeated = codes.filter((code, i) => codes.indexOf(code) !== i);
  if (repeated.length > 0) {
    throw propError(scope, prop, codes, `must list each country once; repeated: ${[...new Set(repeated)].join(', ')}`);
  }
  return codes;
}
