"""Initial schema: trials, sites, users, patients, follow-up records and the audit chain.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 06:26:03.362294
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from trialdesk.store.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    chain_head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    # The chain starts empty: the first record's prev_hash is 64 zeros (trialdesk.store.audit).
    op.bulk_insert(chain_head, [{"id": 1, "last_seq": 0, "last_hash": "0" * 64}])
    op.create_table(
        "audit_records",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_records")),
    )
    op.create_index("ix_audit_records_row", "audit_records", ["table_name", "row_id"])
    op.create_table(
        "trials",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("protocol_version", sa.String(length=64), nullable=False),
        sa.Column("protocol_fingerprint", sa.String(length=128), nullable=False),
        sa.Column("protocol_yaml", sa.Text(), nullable=False),
        sa.Column("randomisation_seed", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trials")),
        sa.UniqueConstraint("code", name=op.f("uq_trials_code")),
    )
    op.create_table(
        "users",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'statistician', 'data_manager', 'investigator', 'monitor')",
            name=op.f("ck_users_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "sites",
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["trial_id"], ["trials.id"], name=op.f("fk_sites_trial_id_trials")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("trial_id", "code", name=op.f("uq_sites_trial_id_code")),
    )
    op.create_table(
        "patients",
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("screening_date", sa.Date(), nullable=False),
        sa.Column("screening", sa.JSON(), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=True),
        sa.Column("screen_failure_reasons", sa.Text(), nullable=False),
        sa.Column("missing_fields", sa.Text(), nullable=False),
        sa.Column("withdrawal_date", sa.Date(), nullable=True),
        sa.Column("screened_by", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["screened_by"], ["users.id"], name=op.f("fk_patients_screened_by_users")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_patients_site_id_sites")),
        sa.ForeignKeyConstraint(["trial_id"], ["trials.id"], name=op.f("fk_patients_trial_id_trials")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("subject_id", name=op.f("uq_patients_subject_id")),
    )
    op.create_table(
        "user_sites",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_user_sites_site_id_sites")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sites_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sites")),
        sa.UniqueConstraint("user_id", "site_id", name=op.f("uq_user_sites_user_id_site_id")),
    )
    op.create_table(
        "adverse_events",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("stop_date", sa.Date(), nullable=True),
        sa.Column("serious", sa.Boolean(), nullable=False),
        sa.Column("related", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint("grade BETWEEN 1 AND 5", name=op.f("ck_adverse_events_grade")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_adverse_events_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adverse_events")),
    )
    op.create_table(
        "assessments",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("assessment_date", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=32), nullable=False),
        sa.Column("relapse_site", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_assessments_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_table(
        "events",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("cause", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_events_patient_id_patients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_table(
        "exposures",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("stop_date", sa.Date(), nullable=True),
        sa.Column("daily_dose_mg", sa.Float(), nullable=False),
        sa.Column("change", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_exposures_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exposures")),
    )
    op.create_table(
        "randomisations",
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("stratum", sa.String(length=200), nullable=False),
        sa.Column("stratum_levels", sa.JSON(), nullable=False),
        sa.Column("arm", sa.String(length=64), nullable=False),
        sa.Column("randomisation_date", sa.Date(), nullable=False),
        sa.Column("randomised_at", UTCDateTime(), nullable=False),
        sa.Column("randomised_by", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_randomisations_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["randomised_by"], ["users.id"], name=op.f("fk_randomisations_randomised_by_users")
        ),
        sa.ForeignKeyConstraint(["trial_id"], ["trials.id"], name=op.f("fk_randomisations_trial_id_trials")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_randomisations")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_randomisations_patient_id")),
        sa.UniqueConstraint("trial_id", "number", name=op.f("uq_randomisations_trial_id_number")),
    )


def downgrade() -> None:
    op.drop_table("randomisations")
    op.drop_table("exposures")
    op.drop_table("events")
    op.drop_table("assessments")
    op.drop_table("adverse_events")
    op.drop_table("user_sites")
    op.drop_table("patients")
    op.drop_table("sites")
    op.drop_table("users")
    op.drop_table("trials")
    op.drop_index("ix_audit_records_row", table_name="audit_records")
    op.drop_table("audit_records")
    op.drop_table("audit_chain_head")
