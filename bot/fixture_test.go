package bot_test

import (
	"context"
	"testing"

	"github.com/comune-prato/cantieri/internal/postgres"
)

// seedOrg writes a tiny organisation straight into the database: two sites (adjacent), an Area
// with a Settore and a Servizio, three skills, and Anna, who works in the Servizio. Tests of the
// importer cover how real files get there; these tests need only the rows.
func seedOrg(t *testing.T, store *postgres.Store) {
	t.Helper()
	_, err := store.Pool().Exec(context.Background(), `
		INSERT INTO sites (code, name) VALUES ('PC', 'Palazzo Comunale'), ('PB', 'Palazzo Banci');
		INSERT INTO site_adjacency (site_a, site_b) SELECT a.id, b.id FROM sites a, sites b WHERE a.code = 'PC' AND b.code = 'PB';
		INSERT INTO org_units (code, name, type_label, site_id) SELECT 'A01', 'Area Territorio', 'Area', id FROM sites WHERE code = 'PB';
		INSERT INTO org_units (code, name, type_label, parent_id, site_id)
			SELECT 'A01-S01', 'Settore Territorio', 'Settore', u.id, s.id FROM org_units u, sites s WHERE u.code = 'A01' AND s.code = 'PC';
		INSERT INTO org_units (code, name, type_label, parent_id)
			SELECT 'A01-S01-V01', 'Servizio Urbanistica', 'Servizio', id FROM org_units WHERE code = 'A01-S01';
		INSERT INTO skills (code, name_it, name_en, category) VALUES
			('gis', 'Sistemi informativi geografici', 'Geographic information systems', 'digitale'),
			('appalti', 'Appalti pubblici', 'Public procurement', 'giuridico'),
			('bilancio', 'Bilancio', 'Budgeting', 'economico');
		INSERT INTO employees (display_name, email, unit_id)
			SELECT 'Anna Bianchi', 'anna.bianchi@comune.example.it', id FROM org_units WHERE code = 'A01-S01-V01';
		INSERT INTO employee_identities (transport, external_id, employee_id)
			SELECT 'console', 'anna.bianchi', id FROM employees WHERE email = 'anna.bianchi@comune.example.it';
	`)
	if err != nil {
		t.Fatalf("seed organisation: %v", err)
	}
}
