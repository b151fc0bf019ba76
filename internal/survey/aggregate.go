package survey

import (
	"slices"
	"strings"
)

// Report is what may be shown about a group of responses: per-question aggregates, or nothing
// at all when fewer than K people answered (Hidden). It never holds anything per person: no
// response, no order, no date, no department.
type Report struct {
	K           int
	Respondents int
	// Hidden is true when Respondents < K: then Questions is empty.
	Hidden    bool
	Questions []QuestionReport
}

// QuestionReport aggregates one question's answers.
type QuestionReport struct {
	Question Question
	// Answered counts the responses that answered it (optional questions may be skipped).
	Answered int
	// Hidden is true when fewer than K answered it: nothing else is filled in.
	Hidden bool
	// Counts, for Likert (index 0 = 1 … 4 = 5), yes/no (0 = no, 1 = yes) and choice (the
	// options' order) questions.
	Counts []int
	// Mean of a Likert question.
	Mean float64
	// Texts of a text question, sorted so that their order says nothing about who wrote them
	// or when; only when at least K answered it.
	Texts []string
}

// Aggregate computes the report of responses to t with the k rule: fewer than k responses show
// nothing; a question answered by fewer than k shows nothing; free text only within a group of
// at least k answers. Answers to questions t does not have (an older version's) are ignored,
// and so are values that do not fit the question (an option since removed).
func Aggregate(t Template, responses []Response, k int) Report {
	k = max(k, MinRespondents)
	rep := Report{K: k, Respondents: len(responses)}
	if len(responses) < k {
		rep.Hidden = true
		return rep
	}
	for _, q := range t.Questions {
		qr := QuestionReport{Question: q}
		switch q.Kind {
		case KindLikert:
			qr.Counts = make([]int, LikertMax-LikertMin+1)
		case KindYesNo:
			qr.Counts = make([]int, 2)
		case KindChoice:
			qr.Counts = make([]int, len(q.Options))
		}
		sum := 0
		for _, r := range responses {
			v, ok := r[q.Key]
			if !ok {
				continue
			}
			switch q.Kind {
			case KindLikert:
				if v.N < LikertMin || v.N > LikertMax {
					continue
				}
				qr.Counts[v.N-LikertMin]++
				sum += v.N
			case KindYesNo:
				if v.N != Yes && v.N != No {
					continue
				}
				qr.Counts[v.N]++
			case KindChoice:
				i := slices.IndexFunc(q.Options, func(o Option) bool { return o.Key == v.S })
				if i < 0 {
					continue
				}
				qr.Counts[i]++
			case KindText:
				if v.S == "" {
					continue
				}
				qr.Texts = append(qr.Texts, v.S)
			}
			qr.Answered++
		}
		if qr.Answered < k {
			qr = QuestionReport{Question: q, Answered: qr.Answered, Hidden: true}
		} else {
			if q.Kind == KindLikert {
				qr.Mean = float64(sum) / float64(qr.Answered)
			}
			slices.SortFunc(qr.Texts, strings.Compare)
		}
		rep.Questions = append(rep.Questions, qr)
	}
	return rep
}
