"""The R-parity tolerances (STYLE.md, tests/reference): one definition, never loosened."""

#: Estimates (coefficients, standard errors, survival, chi-squares, ...): absolute.
ESTIMATE = 1e-6
#: p-values: absolute.
P_VALUE = 1e-4
