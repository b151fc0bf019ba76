// Package collab computes the figures of the managers' weekly summary that are graph
// mathematics and calendar logic: ISO weeks in the council's zone, and the collaboration
// graph's barrier index, modularity, department connectivity matrix, new links and their
// week-by-week trend. It is pure: no I/O, no clock, no database; the same inputs always give
// the same figures. The store loads people and collaboration edges; this package decides what
// they mean.
//
// # The collaboration graph
//
// Two employees are linked once they have worked together (in a project team) or met (in an
// exchange round). A link is an unordered pair of employees with the day it was first seen
// and its source; it never expires, so the graph at an instant is every link first seen before
// it. Links are counted, not weighed: meeting the same colleague ten times is one link. Each
// employee belongs to a department (or to none, e.g. someone attached to an Area above the
// department level); a person's department is the current one, also for old links.
//
// # The figures, in plain words
//
//   - Barrier share (the headline): of all the links between two people who both have a
//     department, the share that joins two different departments. 0.30 means 3 links in 10
//     cross a departmental wall. Higher is better. It rises when people link across
//     departments more than inside them.
//   - Modularity Q (Newman): how much more the links stay inside departments than they
//     would if the same people, with the same number of links each, had linked at random.
//     Q = Σ_c [ L_c/m − (d_c/2m)² ], over departments c, where m is the number of links, L_c
//     the links inside c and d_c the sum of the numbers of links of c's members. Around 0:
//     departments are no barrier at all; above 0: silos (0.3 or more is a clearly siloed
//     organisation); below 0 (down to −0.5): people link across departments more than chance.
//     LOWER IS BETTER. Unlike the share, Q is fair to many small departments: with 300
//     departments even random links would cross 99% of the time, and Q says so by being ~0
//     rather than rewarding it.
//   - Connectivity matrix: for each pair of departments, how many links join them (the
//     diagonal: links inside a department). Empty cells are departments that have never
//     worked or met together.
//   - New links: links first seen in a period, all of them, those that cross departments and
//     those between units that are not contiguous (not at the same or an adjacent site), and
//     the cumulative count up to the period's end.
//   - Weekly series: for each week, the share and Q of the graph as it stood at the end of
//     that week (and the week's new links). Because the graph only grows, a week moves the
//     figures a little; the 12-week trend says whether the walls are coming down: the share
//     going up and Q going down.
//
// Links touching a person without a department (or an id not among the people given) are
// left out of the share, Q and the matrix, which are about departments; they still count as
// links and as new links, and every figure reports how many were left out.
//
// # Weeks
//
// Weeks are ISO 8601 weeks (Monday to Sunday) on the wall clock of the council's zone,
// Europe/Rome by default: Monday 00:00 local to the next Monday 00:00 local, so 167 hours in
// the week of the March change to summer time and 169 in October's. They are written
// "2026-W47". The summary's default week is the last complete one.
package collab
