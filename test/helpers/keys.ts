/** The pseudonymisation key (PSEUDONYM_KEYS) of the tests that configure a production-like service. */
export const TEST_PSEUDONYM_KEYS = '1:pseudonym-key-of-the-test-suite-0123456789ab';
