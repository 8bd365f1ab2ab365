/**
 * Prefix of the log indices: `FluentBit` writes `<prefix>-<cluster>-YYYY.MM.DD`
 * and `LoggingDomain` deletes `<prefix>-*` after the retention period.
 */
export const DEFAULT_LOG_INDEX_PREFIX = 'logs';
