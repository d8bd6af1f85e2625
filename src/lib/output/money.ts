/** Amounts in US dollars as orgctl prints them (orgs:billing, the Dashboard's Billing tab): `$1234.50`. */
export const usd = (amount: number): string => `$${amount.toFixed(2)}`
