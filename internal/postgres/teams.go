package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/teamform"
)

var _ bot.TeamStore = (*Store)(nil)

const teamProjectQuery = `SELECT team_size FROM projects WHERE id = $1`

const teamSkillsQuery = `
SELECT s.id, s.code, s.name_it, s.name_en, s.category, ps.min_level, ps.count
FROM project_skills ps JOIN skills s ON s.id = ps.skill_id
WHERE ps.project_id = $1 ORDER BY s.code`

// teamCandidatesQuery resolves, in one pass down the org tree, every unit's department (the
// nearest ancestor-or-self of the configured type) and effective site (the nearest one set on
// the way up), then keeps the active employees with a unit and capacity left after the
// projects they hold (active teams they are in, and teams still forming whose invitation they
// accepted, as heldProjectsQuery counts them), plus the project's own invitees whatever their
// capacity (they hold their slots; the engine never proposes them elsewhere in this team) — and
// whatever their state: one who left, or erased their data, still holds a place until it is
// refilled, and refilling it needs them among the candidates. Such a person is never proposed:
// they are in the team already, or among those not to ask again.
const teamCandidatesQuery = `
WITH RECURSIVE t AS (
    SELECT id, CASE WHEN type_label = $1 THEN id END AS dept, site_id AS site
    FROM org_units WHERE parent_id IS NULL
    UNION ALL
    SELECT u.id, CASE WHEN u.type_label = $1 THEN u.id ELSE t.dept END, coalesce(u.site_id, t.site)
    FROM org_units u JOIN t ON u.parent_id = t.id
), busy AS (
    SELECT h.employee_id, count(*) AS n
    FROM (SELECT employee_id, project_id FROM team_members
          UNION
          SELECT employee_id, project_id FROM team_invitations WHERE status = 'accepted') h
    JOIN projects p ON p.id = h.project_id
    WHERE p.phase NOT IN ('concluso', 'annullato')
    GROUP BY h.employee_id
)
SELECT e.id, coalesce(nullif(e.display_name, ''), e.email, '#' || e.id::text),
       greatest(e.capacity - coalesce(b.n, 0), 1),
       u.id, u.name, coalesce(t.dept, 0), coalesce(d.name, ''), coalesce(t.site, 0)
FROM employees e
JOIN org_units u ON u.id = e.unit_id
JOIN t ON t.id = e.unit_id
LEFT JOIN org_units d ON d.id = t.dept
LEFT JOIN busy b ON b.employee_id = e.id
WHERE e.active AND e.erased_at IS NULL AND e.capacity - coalesce(b.n, 0) > 0
   OR e.id IN (SELECT employee_id FROM team_invitations WHERE project_id = $2)
ORDER BY e.id`

// teamCandidateSkillsQuery reads only the required skills: the others do not matter to the engine.
const teamCandidateSkillsQuery = `
SELECT es.employee_id, es.skill_id, es.level
FROM employee_skills es JOIN project_skills ps ON ps.skill_id = es.skill_id AND ps.project_id = $1
ORDER BY es.employee_id, es.skill_id`

const teamEdgesQuery = `
SELECT c.employee_a, c.employee_b, c.first_seen
FROM collaboration_edges c
JOIN employees a ON a.id = c.employee_a AND a.active
JOIN employees b ON b.id = c.employee_b AND b.active`

const teamAdjacencyQuery = `SELECT site_a, site_b FROM site_adjacency`

// TeamPool loads everything team formation needs for a project in one round trip.
func (s *Store) TeamPool(ctx context.Context, projectID int64) (bot.TeamPool, error) {
	b := &pgx.Batch{}
	b.Queue(teamProjectQuery, projectID)
	b.Queue(teamSkillsQuery, projectID)
	b.Queue(teamCandidatesQuery, s.deptType, projectID)
	b.Queue(teamCandidateSkillsQuery, projectID)
	b.Queue(teamEdgesQuery)
	b.Queue(teamAdjacencyQuery)
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()
	op := fmt.Sprintf("team pool of project %d", projectID)

	pool := bot.TeamPool{Skills: map[teamform.SkillID]bot.Skill{}, People: map[int64]bot.TeamPerson{}}
	if err := br.QueryRow().Scan(&pool.TeamSize); err != nil {
		return bot.TeamPool{}, wrap(op, err)
	}
	rows, err := br.Query()
	if err != nil {
		return bot.TeamPool{}, wrap(op, err)
	}
	for rows.Next() {
		var (
			id  int64
			sk  bot.Skill
			req teamform.Requirement
		)
		if err := rows.Scan(&id, &sk.Code, &sk.NameIT, &sk.NameEN, &sk.Category, &req.MinLevel, &req.Count); err != nil {
			rows.Close()
			return bot.TeamPool{}, wrap(op, err)
		}
		req.Skill = teamform.SkillID(id)
		pool.Required = append(pool.Required, req)
		pool.Skills[req.Skill] = sk
	}
	if err := rows.Err(); err != nil {
		return bot.TeamPool{}, wrap(op, err)
	}

	index := map[int64]int{}
	rows, err = br.Query()
	if err != nil {
		return bot.TeamPool{}, wrap(op, err)
	}
	for rows.Next() {
		var (
			c  teamform.Candidate
			pp bot.TeamPerson
		)
		if err := rows.Scan(&c.ID, &pp.Name, &c.Capacity, &c.Unit, &pp.Unit, &c.Department, &pp.Department, &c.Site); err != nil {
			rows.Close()
			return bot.TeamPool{}, wrap(op, err)
		}
		index[c.ID] = len(pool.Candidates)
		pool.Candidates = append(pool.Candidates, c)
		pool.People[c.ID] = pp
	}
	if err := rows.Err(); err != nil {
		return bot.TeamPool{}, wrap(op, err)
	}

	rows, err = br.Query()
	if err != nil {
		return bot.TeamPool{}, wrap(op, err)
	}
	for rows.Next() {
		var (
			emp, skill int64
			level      int
		)
		if err := rows.Scan(&emp, &skill, &level); err != nil {
			rows.Close()
			return bot.TeamPool{}, wrap(op, err)
		}
		if i, ok := index[emp]; ok {
			c := &pool.Candidates[i]
			c.Skills = append(c.Skills, teamform.SkillLevel{Skill: teamform.SkillID(skill), Level: level})
		}
	}
	if err := rows.Err(); err != nil {
		return bot.TeamPool{}, wrap(op, err)
	}

	rows, err = br.Query()
	if err != nil {
		return bot.TeamPool{}, wrap(op, err)
	}
	for rows.Next() {
		var (
			a, b  int64
			since time.Time
		)
		if err := rows.Scan(&a, &b, &since); err != nil {
			rows.Close()
			return bot.TeamPool{}, wrap(op, err)
		}
		_, aok := index[a]
		_, bok := index[b]
		if !aok || !bok {
			continue
		}
		pool.Links = append(pool.Links, [2]int64{a, b})
		pool.LinkSince = append(pool.LinkSince, since)
	}
	if err := rows.Err(); err != nil {
		return bot.TeamPool{}, wrap(op, err)
	}

	rows, err = br.Query()
	if err != nil {
		return bot.TeamPool{}, wrap(op, err)
	}
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			rows.Close()
			return bot.TeamPool{}, wrap(op, err)
		}
		pool.Adjacent = append(pool.Adjacent, [2]int64{a, b})
	}
	if err := rows.Err(); err != nil {
		return bot.TeamPool{}, wrap(op, err)
	}
	return pool, nil
}
