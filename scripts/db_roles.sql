-- Production database roles: the application may not change or remove the access log.
--
-- Two roles: the OWNER runs the migrations (manage.py migrate) and owns the tables; the
-- APP role is what web, worker and beat connect as (DATABASE_URL). The app role may read
-- and write the domain tables, but on accounts_accesslog only SELECT and INSERT: no
-- UPDATE, DELETE or TRUNCATE (NEN 7513). The trigger of accounts migration 0004 refuses
-- those to everyone as well; this takes away even the maintenance escape.
--
-- Run as a superuser (or the owner), after the first migrate:
--   psql -v owner_role=nzr -v app_role=nzr_app -f scripts/db_roles.sql nzr
-- Create the app role first, e.g.  CREATE ROLE nzr_app LOGIN PASSWORD '...';
-- Tables that later migrations create get the same rights through the default privileges.
-- tests/reliability/test_access_log_db_role.py runs this file against the test database.

GRANT USAGE ON SCHEMA public TO :app_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :app_role;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO :app_role;
ALTER DEFAULT PRIVILEGES FOR ROLE :owner_role IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :app_role;
ALTER DEFAULT PRIVILEGES FOR ROLE :owner_role IN SCHEMA public
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO :app_role;
REVOKE UPDATE, DELETE, TRUNCATE ON accounts_accesslog FROM :app_role;
REVOKE UPDATE, DELETE, TRUNCATE ON accounts_accesslogsubject FROM :app_role;
