-- The tables of one snapshot file. Every writer creates exactly these (shb.store.schema).
create table programme (
    title varchar not null, period varchar not null, goal_title varchar not null,
    goal_description varchar not null
);
create table goal_area (
    id integer primary key, title varchar not null, slug varchar not null,
    description varchar, responsible varchar
);
create table target (
    id varchar primary key, goal_area_id integer not null references goal_area (id),
    title varchar not null, sort_key integer not null
);
create table indicator (
    id varchar primary key, target_id varchar not null references target (id), title varchar not null,
    kind varchar not null, unit varchar not null, unit_label varchar not null,
    direction varchar not null, source varchar not null, source_ref varchar not null,
    source_ref_confirmed boolean not null, licence varchar not null, lowest_level varchar not null,
    levels varchar[] not null, group_dimensions varchar[] not null, population varchar,
    survey boolean not null, frequency varchar not null, definition varchar not null,
    caveats varchar[] not null, sort_key integer not null,
    life_stages varchar[] -- barn, unga, vuxna, aldre or alla; null in snapshots written before it existed
);
create table area (
    code varchar primary key, name varchar not null, level varchar not null, parent_code varchar,
    centroid_lat double, centroid_lon double, area_km2 double, tatort boolean not null,
    border_changed_2025 boolean not null, police_2025 varchar
);
create table district_member (district_code varchar not null, regso_code varchar not null);
create table area_set (
    id varchar primary key, title varchar not null, description varchar,
    is_default boolean not null
);
create table area_set_member (set_id varchar not null, area_code varchar not null);
create table population_group (
    dimension varchar not null, value varchar not null, dimension_label varchar not null,
    label varchar not null, sort_key integer not null, primary key (dimension, value)
);
create table indicator_group (
    indicator_id varchar not null, dimension varchar not null, value varchar not null,
    sort_key integer not null
);
create table area_population (
    area_code varchar not null, year integer not null, population bigint, foreign_born bigint,
    is_demo boolean not null
);
create table observation (
    indicator_id varchar not null, level varchar not null, year integer not null,
    area_code varchar not null, group_dim varchar not null, group_value varchar not null,
    value double, numerator bigint, denominator bigint, population bigint, ci_low double,
    ci_high double, status varchar not null check (status in ('ok', 'suppressed', 'missing', 'not_applicable')),
    series_break boolean not null, is_demo boolean not null, source_version varchar not null
);
create table published_observation (
    indicator_id varchar not null, level varchar not null, year integer not null,
    area_code varchar not null, group_dim varchar not null, group_value varchar not null,
    value double, numerator bigint, denominator bigint, population bigint, ci_low double,
    ci_high double, status varchar not null, series_break boolean not null, is_demo boolean not null,
    source_version varchar not null, suppression varchar not null
);
create table snapshot (
    version varchar not null, created_at timestamptz not null, is_demo boolean not null,
    built_from json not null
);
create table note (
    id varchar primary key, indicator_id varchar not null, area_code varchar not null,
    year integer, body varchar not null, author varchar not null, created_at timestamptz not null
);
create table deck (
    id varchar primary key, -- from the title: lower case a–z, 0–9 and hyphens
    title varchar not null, slides varchar[] not null, -- view URLs relative to the app, in order
    author varchar not null, created_at timestamptz not null
);
create table import_log (
    logged_at timestamptz not null, username varchar not null, file_name varchar not null,
    sha256 varchar not null, rows integer not null, new_values integer not null,
    changed_values integer not null, unchanged_values integer not null, result varchar not null,
    version varchar not null
);
create table source_record (
    subject varchar primary key, -- an indicator id, or 'befolkning' for the population figures
    citation varchar not null, licence varchar not null, files varchar[] not null,
    source_ids varchar[] not null, origin varchar not null, retrieved varchar not null,
    transformation varchar not null
);
create table indicator_target (
    indicator_id varchar not null, scope varchar not null, -- 'city' or an area set id
    value double not null, year integer not null, origin varchar not null, wording varchar not null,
    primary key (indicator_id, scope)
);
create table analysis (
    target_id varchar not null, -- the effektmål
    year integer not null, -- the follow-up year
    body varchar not null, author varchar not null, created_at timestamptz not null,
    state varchar not null check (state in ('utkast', 'fastställd')),
    primary key (target_id, year)
);
create table steering_document (
    id varchar primary key, title varchar not null, kind varchar not null, basis varchar not null,
    sort_key integer not null
);
create table steering_link (document_id varchar not null, target_id varchar not null);
create table period (
    id varchar primary key, title varchar not null, first_year integer not null, last_year integer not null,
    is_current boolean not null
);
create table period_target (
    period_id varchar not null, target_id varchar not null, goal_area_id integer not null,
    goal_area_title varchar not null, goal_area_slug varchar not null, goal_area_description varchar,
    responsible varchar, target_title varchar not null, sort_key integer not null,
    primary key (period_id, target_id)
);
create table period_indicator (
    period_id varchar not null, indicator_id varchar not null, target_id varchar not null,
    primary key (period_id, indicator_id)
);
