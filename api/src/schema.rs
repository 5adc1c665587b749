//! Diesel table definitions, one for both backends; kept in step with `migrations/`: a test compares every table,
//! column, type and nullability here with the database the migrations build, on both backends.

diesel::table! {
    server_settings (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    units (id) {
        id -> BigInt,
        code -> Text,
        name_ar -> Text,
        name_en -> Text,
        kind -> Text,
        parent_id -> Nullable<BigInt>,
        head_user_id -> Nullable<BigInt>,
        registry_code -> Nullable<Text>,
        path -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        password_hash -> Text,
        full_name_ar -> Text,
        full_name_en -> Text,
        unit_id -> BigInt,
        clearance -> Integer,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        failed_logins -> Integer,
        locked_until -> Nullable<Timestamp>,
        search_name -> Text,
    }
}

diesel::table! {
    user_roles (user_id, role) {
        user_id -> BigInt,
        role -> Text,
    }
}

diesel::table! {
    external_entities (id) {
        id -> BigInt,
        code -> Text,
        name_ar -> Text,
        name_en -> Text,
        kind -> Text,
        active -> Bool,
        created_at -> Timestamp,
        search_name -> Text,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        family_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    registration_counters (registry_unit_id, hijri_year) {
        registry_unit_id -> BigInt,
        hijri_year -> Integer,
        last_value -> BigInt,
    }
}

diesel::table! {
    transactions (id) {
        id -> BigInt,
        kind -> Text,
        status -> Text,
        registry_unit_id -> Nullable<BigInt>,
        hijri_year -> Nullable<Integer>,
        sequence -> Nullable<BigInt>,
        registration_number -> Nullable<Text>,
        subject -> Text,
        summary -> Nullable<Text>,
        external_entity_id -> Nullable<BigInt>,
        sender_reference -> Nullable<Text>,
        sender_reference_date -> Nullable<Date>,
        priority -> Text,
        confidentiality -> Integer,
        due_at -> Nullable<Timestamp>,
        attachments_count -> Integer,
        origin_unit_id -> BigInt,
        created_by -> BigInt,
        created_at -> Timestamp,
        registered_at -> Nullable<Timestamp>,
        registered_by -> Nullable<BigInt>,
        closed_at -> Nullable<Timestamp>,
        closed_by -> Nullable<BigInt>,
        resolution -> Nullable<Text>,
        archived_at -> Nullable<Timestamp>,
        archived_by -> Nullable<BigInt>,
        version -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    transaction_links (id) {
        id -> BigInt,
        from_transaction_id -> BigInt,
        to_transaction_id -> BigInt,
        kind -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    referrals (id) {
        id -> BigInt,
        transaction_id -> BigInt,
        parent_referral_id -> Nullable<BigInt>,
        from_unit_id -> BigInt,
        from_user_id -> BigInt,
        to_unit_id -> BigInt,
        to_user_id -> Nullable<BigInt>,
        purpose -> Text,
        instructions -> Nullable<Text>,
        due_at -> Nullable<Timestamp>,
        status -> Text,
        outcome -> Nullable<Text>,
        action_note -> Nullable<Text>,
        sent_at -> Timestamp,
        received_at -> Nullable<Timestamp>,
        received_by -> Nullable<BigInt>,
        completed_at -> Nullable<Timestamp>,
        completed_by -> Nullable<BigInt>,
        version -> Integer,
    }
}

diesel::table! {
    api_clients (id) {
        id -> BigInt,
        client_id -> Text,
        secret_hash -> Text,
        name -> Text,
        external_entity_id -> BigInt,
        scopes -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        secret_rotated_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        clearance -> Integer,
    }
}

diesel::table! {
    submissions (id) {
        id -> BigInt,
        api_client_id -> BigInt,
        external_entity_id -> BigInt,
        subject -> Text,
        summary -> Nullable<Text>,
        sender_reference -> Text,
        sender_reference_date -> Nullable<Date>,
        priority -> Text,
        status -> Text,
        transaction_id -> Nullable<BigInt>,
        submitted_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<BigInt>,
        decision_note -> Nullable<Text>,
        version -> Integer,
    }
}

diesel::table! {
    submission_documents (id) {
        id -> BigInt,
        submission_id -> BigInt,
        title -> Text,
        sha256 -> Text,
        size -> BigInt,
        media_type -> Text,
        file_name -> Text,
        added_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        user_id -> Nullable<BigInt>,
        on_behalf_of_user_id -> Nullable<BigInt>,
        client_id -> Nullable<BigInt>,
        origin -> Nullable<Text>,
        action -> Text,
        object_type -> Text,
        object_id -> Nullable<BigInt>,
        transaction_id -> Nullable<BigInt>,
        details -> Text,
        seq -> Nullable<BigInt>,
        prev_hash -> Nullable<Text>,
        hash -> Nullable<Text>,
    }
}

diesel::table! {
    delegations (id) {
        id -> BigInt,
        delegator_user_id -> BigInt,
        deputy_user_id -> BigInt,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        note -> Nullable<Text>,
        created_by -> BigInt,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        transaction_id -> BigInt,
        referral_id -> Nullable<BigInt>,
        kind -> Text,
        actor_user_id -> BigInt,
        actor_unit_id -> BigInt,
        on_behalf_of_user_id -> Nullable<BigInt>,
        at -> Timestamp,
        details -> Text,
    }
}

diesel::table! {
    idempotency_keys (user_id, idempotency_key) {
        user_id -> BigInt,
        idempotency_key -> Text,
        request_hash -> Text,
        status_code -> Integer,
        response_body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    blobs (sha256) {
        sha256 -> Text,
        size -> BigInt,
        media_type -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    documents (id) {
        id -> BigInt,
        transaction_id -> BigInt,
        title -> Text,
        kind -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
        versions -> Integer,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_by -> Nullable<BigInt>,
        withdrawn_reason -> Nullable<Text>,
    }
}

diesel::table! {
    document_versions (id) {
        id -> BigInt,
        document_id -> BigInt,
        version -> Integer,
        sha256 -> Text,
        size -> BigInt,
        media_type -> Text,
        file_name -> Text,
        note -> Nullable<Text>,
        author_id -> BigInt,
        created_at -> Timestamp,
        text_status -> Text,
        text_content -> Nullable<Text>,
        text_error -> Nullable<Text>,
    }
}

diesel::table! {
    /// Transactions registered per Riyadh day by kind, status, priority and confidentiality, kept by triggers
    /// (reports, and searches without words).
    report_days (day, kind, status, priority, confidentiality) {
        day -> Text,
        kind -> Text,
        status -> Text,
        priority -> Text,
        confidentiality -> Integer,
        transactions -> BigInt,
    }
}

diesel::table! {
    /// Referrals sent per Riyadh day by unit and confidentiality, kept by triggers (reports).
    report_unit_days (day, unit_id, confidentiality) {
        day -> Text,
        unit_id -> BigInt,
        confidentiality -> Integer,
        referrals -> BigInt,
        arrivals -> BigInt,
        actions_open -> BigInt,
        open_sent_seconds -> BigInt,
        actions_completed -> BigInt,
        completed_seconds -> BigInt,
    }
}

diesel::table! {
    /// Referrals for action someone holds or held, per Riyadh sending day, unit and confidentiality, kept by
    /// triggers (reports).
    report_holder_days (day, holder_id, unit_id, confidentiality) {
        day -> Text,
        holder_id -> BigInt,
        unit_id -> BigInt,
        confidentiality -> Integer,
        actions -> BigInt,
        actions_open -> BigInt,
        open_sent_seconds -> BigInt,
        completed_seconds -> BigInt,
    }
}
diesel::table! {
    /// The working week and hours: one row (id 1). Minutes after Riyadh midnight; bit 0 of `working_days` is Sunday.
    working_calendar (id) {
        id -> BigInt,
        working_days -> Integer,
        day_start_minute -> Integer,
        day_end_minute -> Integer,
        ramadan_start_minute -> Nullable<Integer>,
        ramadan_end_minute -> Nullable<Integer>,
        updated_at -> Timestamp,
        updated_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// Days off, `YYYY-MM-DD` Riyadh dates inclusive; generated ones keyed by kind and year.
    holidays (id) {
        id -> BigInt,
        kind -> Text,
        year -> Nullable<Integer>,
        name_ar -> Text,
        name_en -> Text,
        first_day -> Text,
        last_day -> Text,
        updated_at -> Timestamp,
        updated_by -> Nullable<BigInt>,
    }
}

diesel::joinable!(users -> units (unit_id));
diesel::joinable!(documents -> transactions (transaction_id));
diesel::joinable!(document_versions -> documents (document_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(referrals -> transactions (transaction_id));
diesel::joinable!(events -> transactions (transaction_id));

diesel::allow_tables_to_appear_in_same_query!(
    server_settings,
    units,
    users,
    user_roles,
    external_entities,
    refresh_tokens,
    registration_counters,
    transactions,
    transaction_links,
    referrals,
    events,
    audit_log,
    delegations,
    api_clients,
    submissions,
    submission_documents,
    idempotency_keys,
    blobs,
    documents,
    document_versions,
    report_days,
    report_unit_days,
    report_holder_days,
    working_calendar,
    holidays,
);
