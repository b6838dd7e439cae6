"""A protocol as plain text for people: what ``trialdesk protocol show`` prints."""

from __future__ import annotations

from trialdesk.protocol.model import Arm, Protocol, ScreeningField

__all__ = ["describe_protocol"]


def _arm_text(arm: Arm, ratio: int) -> str:
    if arm.treatment is None:
        treatment = "no study treatment"
    else:
        treatment = (f"{arm.treatment} {arm.dose_mg:g} mg x {arm.doses_per_day}/day "
                     f"= {arm.daily_dose_mg:g} mg/day{f' {arm.route}' if arm.route else ''}")
        if arm.max_duration_weeks is not None:
            treatment += f", at most {arm.max_duration_weeks:g} weeks"
    return f"  {arm.code:<14} {arm.name} ({treatment}); ratio {ratio}"


def _field_text(spec: ScreeningField) -> str:
    kind = f"choice: {' / '.join(spec.choices)}" if spec.type == "choice" else spec.type
    bounds = "".join(text for text in (f" >= {spec.minimum:g}" if spec.minimum is not None else "",
                                       f" <= {spec.maximum:g}" if spec.maximum is not None else ""))
    optional = "" if spec.required else ", optional"
    return f"  {spec.name:<27} {kind}{bounds}{optional}  {spec.label}"


def describe_protocol(protocol: Protocol) -> str:
    """Every section of the protocol in a page of text (arms, form, rules, plans)."""
    plan, schedule, analysis = protocol.randomisation, protocol.visit_schedule, protocol.analysis
    lines = [f"{protocol.id} version {protocol.version}: {protocol.title}",
             f"fingerprint {protocol.fingerprint}"]
    if protocol.reference:
        lines.append(f"reference: {protocol.reference}")
    lines += ["", f"Arms (allocation {':'.join(map(str, protocol.allocation_ratio))})"]
    lines += [_arm_text(arm, r) for arm, r in zip(protocol.arms, protocol.allocation_ratio, strict=True)]
    lines += ["", "Screening form"] + [_field_text(spec) for spec in protocol.screening_fields]
    lines += ["", "Eligibility (each must hold; exclusions must not)"]
    for criterion in protocol.eligibility:
        lines += [f"  {criterion.name:<27} {criterion.kind}: {criterion.rule}",
                  f"  {'':<27} fails: {criterion.message}"]
    lines += ["", f"Stratification ({len(protocol.stratification_factors)} factors)"]
    for factor in protocol.stratification_factors:
        lines.append(f"  {factor.name}: {factor.label}")
        lines += [f"    {level:<10} if {factor.derive[level]}" for level in factor.levels]
    if plan.scheme == "permuted_blocks":
        scheme = f"block sizes {', '.join(map(str, plan.block_sizes))} (drawn uniformly), within each stratum"
    elif plan.scheme == "minimisation":
        scheme = f"p_best {plan.p_best:g}, criterion {plan.criterion}"
    else:
        scheme = "independent draws with the ratio's probabilities"
    lines += ["", f"Randomisation: {plan.scheme}, {scheme}"]
    first = f", first at week {schedule.first_weeks}" if schedule.first_restaging_weeks else ""
    lines += [f"Visit schedule: restaging every {schedule.restaging_interval_weeks} weeks from "
              f"{schedule.anchor}{first}, window +/- {schedule.window_days} days"]
    lines += ["", "Endpoints"]
    lines += [f"  {e.code}{' (primary)' if e.primary else ''}: {e.name}: {e.origin} to first of "
              f"{' or '.join(e.events)}; censored at {e.censor_at.replace('_', ' ')}"
              for e in protocol.endpoints]
    landmarks = ", ".join(f"{m:g}" for m in analysis.landmark_months) or "none"
    lines += ["", f"Analysis: populations {', '.join(analysis.populations)} "
              f"(primary {analysis.primary_population});"
              f" KM CI {analysis.conf_type} {analysis.conf_level:g}; Cox ties {analysis.ties};"
              f" {'stratified' if analysis.stratified else 'unstratified'} primary tests;"
              f" landmarks (months) {landmarks}; subgroups {', '.join(analysis.subgroups) or 'none'};"
              f" AE grading {analysis.ae_grading}"]
    if protocol.interim is not None:
        interim = protocol.interim
        looks = (f"information fractions {', '.join(f'{x:g}' for x in interim.information_fraction)}"
                 if interim.information_fraction is not None
                 else f"events {', '.join(map(str, interim.events or ()))}")
        lines.append(f"Interim: {looks}; {interim.spending} alpha spending, alpha {interim.alpha:g} "
                     f"{interim.sided}-sided; population {interim.population}")
    if protocol.enrolment is not None:
        enrolment = protocol.enrolment
        accrual = f" over {enrolment.accrual_months:g} months" if enrolment.accrual_months else ""
        sites = f" at {enrolment.sites} sites" if enrolment.sites else ""
        lines.append(f"Enrolment: {enrolment.planned_patients} patients{accrual}{sites}")
    lines.append("Conventions: months = days / 30.4375; rules: see trialdesk.protocol.conditions")
    return "\n".join(lines)
