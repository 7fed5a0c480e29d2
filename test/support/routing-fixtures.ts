/**
 * A routing policy that sends each request exactly where its `model` says and never falls back, so
 * tests (and benchmarks) of one provider's behaviour see that provider's answers and errors.
 */
export const NO_FALLBACK_ROUTING = `
version: 1
degrade: { local_overload: none, cloud_failure: none }
rules:
  - name: explicit-model
    when: { not: { model: auto } }
    then: { route: requested, pin: true }
default: { route: local }
`;
