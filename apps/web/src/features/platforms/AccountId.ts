/** The client-side check of an advertiser account id, mirroring the contract's id rule. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/

export const accountIdError = (value: string): string | undefined =>
  value.trim() === ""
    ? "Enter the account id"
    : ID_PATTERN.test(value.trim())
    ? undefined
    : "Use 1–128 letters, digits, '_', '-', '.' or ':', starting with a letter or digit"
