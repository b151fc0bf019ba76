package teamform

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// largeInstance draws n candidates in nDept departments with skills from nSkills (2–6 each,
// Zipf-like popularity, levels 1–3), ~10 collaboration links per person, 40 sites with some
// adjacent pairs, team size k and nReq required skills.
func largeInstance(n, nDept, nSkills, k, nReq int) Input {
	rng := rand.New(rand.NewPCG(2026, uint64(n)))
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(nSkills-1))
	in := Input{K: k, Seed: 7}
	in.Candidates = make([]Candidate, n)
	for i := range in.Candidates {
		c := Candidate{ID: int64(1_000_000 + i*3), Department: int64(1 + rng.IntN(nDept)),
			Unit: int64(rng.IntN(nDept * 5)), Site: int64(1 + rng.IntN(40)), Capacity: rng.IntN(3)}
		ns := 2 + rng.IntN(5)
		for len(c.Skills) < ns {
			s := SkillID(zipf.Uint64() + 1)
			if !slices.ContainsFunc(c.Skills, func(x SkillLevel) bool { return x.Skill == s }) {
				c.Skills = append(c.Skills, SkillLevel{Skill: s, Level: 1 + rng.IntN(3)})
			}
		}
		in.Candidates[i] = c
	}
	for i := 0; i < n*5; i++ {
		a, b := rng.IntN(n), rng.IntN(n)
		in.Links = append(in.Links, [2]int64{in.Candidates[a].ID, in.Candidates[b].ID})
	}
	for s := int64(1); s < 40; s += 2 {
		in.AdjacentSites = append(in.AdjacentSites, [2]int64{s, s + 1})
	}
	// required skills: spread over popular, middling and rarer skills
	picked := map[SkillID]bool{}
	for len(in.Required) < nReq {
		s := SkillID(1 + rng.IntN(min(nSkills, 60)))
		if picked[s] {
			continue
		}
		picked[s] = true
		in.Required = append(in.Required, Requirement{Skill: s, MinLevel: 1 + rng.IntN(3), Count: 1 + rng.IntN(2)})
	}
	return in
}

// BenchmarkLarge: 50,000 candidates, 300 departments, 1,000 skills, k = 15, 7 required skills.
// Reports ms/op and the engine's team summary; the skillGreedy sub-benchmark is the baseline.
func BenchmarkLarge(b *testing.B) {
	in := largeInstance(50_000, 300, 1000, 15, 7)
	p50 := map[string]time.Duration{}
	run := func(name string, f func(Input) (Result, error)) {
		b.Run(name, func(b *testing.B) {
			var res Result
			times := make([]time.Duration, 0, b.N)
			for b.Loop() {
				t0 := time.Now()
				var err error
				res, err = f(in)
				times = append(times, time.Since(t0))
				if err != nil || res.Team == nil {
					b.Fatalf("%v %+v", err, res.Infeasible)
				}
			}
			slices.Sort(times)
			p50[name] = times[len(times)/2]
			if name == "skillGreedy" && p50["engine"] > 0 {
				b.ReportMetric(float64(p50["engine"])/float64(p50[name]), "engine/baseline")
			}
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(res.Team.Summary.Departments), "depts")
			b.ReportMetric(float64(res.Team.Summary.NewLinks), "newlinks")
			b.ReportMetric(float64(res.Team.Summary.NonContiguousLinks), "noncontig")
		})
	}
	run("engine", Form)
	run("skillGreedy", SkillGreedy)
}

// BenchmarkQuality runs the 200-instance quality suite and reports its figures as metrics.
func BenchmarkQuality(b *testing.B) {
	var q quality
	for b.Loop() {
		q = runQuality(200)
	}
	b.ReportMetric(float64(q.violations), "violations")
	b.ReportMetric(float64(q.missedInfeasible), "missed-infeasible")
	b.ReportMetric(q.deptOptimalShare(), "dept-optimal-share")
	b.ReportMetric(q.linkRatio(), "newlink-ratio")
}

type quality struct {
	instances, feasible, violations, missedInfeasible, falseInfeasible int
	deptOptimal                                                        int
	linkRatioSum                                                       float64
	lexOptimal, joint                                                  int
	vsGreedyOK, vsRandomOK, vsCount                                    int
	engineTime, exactTime                                              time.Duration
}

func (q quality) deptOptimalShare() float64 {
	return float64(q.deptOptimal) / math.Max(1, float64(q.feasible))
}
func (q quality) linkRatio() float64 { return q.linkRatioSum / math.Max(1, float64(q.feasible)) }

func runQuality(nInst int) quality {
	var q quality
	for seed := uint64(1); seed <= uint64(nInst); seed++ {
		in := randomSmall(seed)
		q.instances++
		t0 := time.Now()
		opt, _, feasible := exact(&in)
		q.exactTime += time.Since(t0)
		t0 = time.Now()
		res, err := Form(in)
		q.engineTime += time.Since(t0)
		if err != nil {
			q.violations++
			continue
		}
		if !feasible {
			if res.Team != nil {
				q.violations++ // a "team" where none exists must break a constraint
			}
			if res.Infeasible == nil {
				q.missedInfeasible++
			} else if res.Infeasible.Joint {
				q.joint++
			}
			continue
		}
		q.feasible++
		if res.Team == nil {
			q.falseInfeasible++
			continue
		}
		o := newOracle(&in)
		ids := res.Team.IDs()
		q.violations += len(o.violations(ids))
		got := o.summary(ids).Score()
		if got.Departments == opt.Departments {
			q.deptOptimal++
		}
		if got == opt {
			q.lexOptimal++
		}
		if opt.NewLinks == 0 {
			q.linkRatioSum++
		} else {
			q.linkRatioSum += math.Min(1, float64(got.NewLinks)/float64(opt.NewLinks))
		}
		g, _ := SkillGreedy(in)
		r, _ := RandomTeam(in, int64(seed))
		if g.Team != nil && r.Team != nil {
			q.vsCount++
			gs, rs := o.summary(g.Team.IDs()), o.summary(r.Team.IDs())
			if got.Departments >= gs.Departments && got.NewLinks >= gs.NewLinks {
				q.vsGreedyOK++
			}
			if got.Departments >= rs.Departments && got.NewLinks >= rs.NewLinks {
				q.vsRandomOK++
			}
		}
	}
	return q
}
