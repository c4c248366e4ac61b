package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
	"strings"
	"time"
)

// Assumptions of the cost and concurrency model, stated in the report.
const (
	lambdaMemoryMB = 128 // template.yaml's MemorySize
	// githubLatency is what each GitHub call adds to a function's duration in
	// production; the bench ran without GitHub.
	githubLatency = 100 * time.Millisecond
	// lambdaLogBytes is what one invocation writes to its log group: the
	// platform's start, end and report records in JSON, and the service's
	// log line of a login or logout.
	lambdaLogBytes = 800
	// itemBytes is the mean size of a stored item (a session with its sealed
	// token and times is the largest, under 1 KB).
	itemBytes = 600
	// secretRefresh is how often a warm instance re-reads the secret (the
	// site table): at most every 5 minutes (docs/architecture.md).
	secretRefresh    = 5 * time.Minute
	logRetentionDays = 30 // template.yaml's LogRetentionInDays default
)

// series is a per-minute rate of something.
type series []float64

func (s series) sum() float64 {
	t := 0.0
	for _, v := range s {
		t += v
	}
	return t
}

// peakIn returns the largest minute in [from, to) and its index.
func (s series) peakIn(from, to int) (float64, int) {
	best, at := 0.0, from
	for i := from; i < to; i++ {
		if s[i] > best {
			best, at = s[i], i
		}
	}
	return best, at
}

// peakWindowIn is the largest sum over w consecutive minutes ending in
// [from, to), and the index of its last minute.
func (s series) peakWindowIn(w, from, to int) (float64, int) {
	sum, best, at := 0.0, 0.0, from
	for i := max(0, from-w+1); i < to; i++ {
		sum += s[i]
		if i-w >= 0 {
			sum -= s[i-w]
		}
		if i >= from && sum > best {
			best, at = sum, i
		}
	}
	return best, at
}

// analysis is the run turned into rates.
type analysis struct {
	res                          *Result
	in                           *inputs
	minutes                      int
	steady                       int // first minute of the steady state (after the first week)
	calls                        map[string]series
	wru                          series
	rru                          series
	invoke                       map[string]series // by function
	conc                         series            // estimated concurrent executions
	webhook                      series            // API requests on the webhook route
	oauth                        series            // API requests on the OAuth routes
	ghExchange, ghUser, ghRevoke series
	// revocations GitHub accepted, refused for its rate limit, and needed
	// (the first call for each token: the sessions ended).
	ghAccepted, ghRefused, ghNeeded series
	flowTotals                      [numFlows]int64
}

func analyse(res *Result, in *inputs) *analysis {
	a := &analysis{res: res, in: in, minutes: len(res.PerMinute), calls: map[string]series{}, invoke: map[string]series{}}
	if res.Config.Days > 7 {
		a.steady = 7 * 24 * 60
	}
	mk := func() series { return make(series, a.minutes) }
	a.wru, a.rru, a.conc, a.webhook, a.oauth = mk(), mk(), mk(), mk(), mk()
	a.ghExchange, a.ghUser, a.ghRevoke = mk(), mk(), mk()
	a.ghAccepted, a.ghRefused, a.ghNeeded = mk(), mk(), mk()
	for m, per := range res.PerMinute {
		a.ghExchange[m], a.ghUser[m], a.ghRevoke[m] = float64(res.GHExchange[m]), float64(res.GHUser[m]), float64(res.GHRevoke[m])
		a.ghAccepted[m], a.ghRefused[m], a.ghNeeded[m] = float64(res.GHRevokeAccepted[m]), float64(res.GHRevokeRefused[m]), float64(res.GHRevokeFirst[m])
		for f, n := range per {
			if n == 0 {
				continue
			}
			info := flows[f]
			a.flowTotals[f] += int64(n)
			fc := in.calls[info.measured]
			for call, k := range fc.Calls {
				if a.calls[call] == nil {
					a.calls[call] = mk()
				}
				a.calls[call][m] += float64(n * int32(k))
				switch call {
				case "DynamoDB.GetItem":
					a.rru[m] += float64(n * int32(k)) // strongly consistent, under 4 KB
				case "DynamoDB.PutItem", "DynamoDB.UpdateItem", "DynamoDB.DeleteItem":
					a.wru[m] += float64(n * int32(k)) // under 1 KB
				}
			}
			a.wru[m] += float64(2 * n * int32(fc.TransactWriteItems)) // transactional writes count double
			if a.invoke[info.function] == nil {
				a.invoke[info.function] = mk()
			}
			a.invoke[info.function][m] += float64(n)
			dur := time.Duration(in.warmMS[info.function]*float64(time.Millisecond)) + time.Duration(info.github)*githubLatency
			a.conc[m] += float64(n) / 60 * dur.Seconds()
			switch info.function {
			case "WebhookFunction":
				a.webhook[m] += float64(n)
			case "CallbackFunction":
				a.oauth[m] += float64(n)
			}
		}
	}
	return a
}

func (a *analysis) at(m int) string {
	return a.res.Config.Start.Add(time.Duration(m) * time.Minute).Format("Mon 2006-01-02 15:04 UTC")
}

// peak is s's busiest minute in the steady state.
func (a *analysis) peak(s series) (float64, int) { return s.peakIn(a.steady, a.minutes) }

// peakHour is s's busiest 60 minutes in the steady state.
func (a *analysis) peakHour(s series) (float64, int) { return s.peakWindowIn(60, a.steady, a.minutes) }

// launchPeak and launchPeakHour are the same over the first week, when
// every user logs in for the first time.
func (a *analysis) launchPeak(s series) float64 {
	v, _ := s.peakIn(0, max(a.steady, 1))
	return v
}

func (a *analysis) launchPeakHour(s series) float64 {
	v, _ := s.peakWindowIn(60, 0, max(a.steady, 1))
	return v
}

// steadySum sums s over the steady state, and returns the number of days it spans.
func (a *analysis) steadySum(s series) (float64, float64) {
	return s[a.steady:].sum(), float64(a.minutes-a.steady) / (24 * 60)
}

// monthly scales a steady-state total to 30 days.
func (a *analysis) monthly(s series) float64 {
	t, days := a.steadySum(s)
	return t / days * 30
}

func num(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2f M", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.0f k", v/1e3)
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 1:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

func usd(v float64) string { return fmt.Sprintf("$%.2f", v) }

// write writes the report in Markdown.
func (a *analysis) write(w io.Writer, command string) {
	r, cfg := a.res, a.res.Config
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("# Simulation: %s users over %d days\n\n", num(float64(cfg.Users)), cfg.Days)
	p("Written by `%s` on %s (wall time **%s** on %d CPUs, %s %s/%s; %d workers). "+
		"The service is `session.Service` as shipped, on memstore's store (DynamoDB's TTL modelled: expired items linger up to %s) "+
		"and scheduler (automatic logouts run at their time as the virtual clock advances), an AES-GCM sealer, and an in-process GitHub. "+
		"[docs/scale.md](../../../docs/scale.md) explains the model and what the figures mean.\n\n",
		command, time.Now().UTC().Format("2006-01-02"), r.Wall.Round(time.Second), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH,
		cfg.Workers, cfg.TTLLag)
	p("Run: %d users on %d Rocket.Chat sites (%d users each), from %s for %d days, seed %d; GitHub fails revocations for %s from %s. "+
		"Rates below are per-minute counts divided by 60 (a second's burst can be higher); means and the monthly cost are over the steady state, from day 8 on.\n\n",
		cfg.Users, cfg.Sites, cfg.Users/cfg.Sites, cfg.Start.Format("Mon 2006-01-02"), cfg.Days, cfg.Seed, cfg.OutageFor, a.at(int(cfg.OutageFrom/time.Minute)))

	a.writeInvariants(p)
	a.writeDays(p)
	a.writeRevocations(p)
	a.writeFlows(p)
	a.writeRates(p)
	a.writeScale(p)
	a.writeCost(p)
}

func (a *analysis) writeInvariants(p func(string, ...any)) {
	r := a.res
	live := 0
	if n := len(r.Days); n > 0 {
		live = r.Days[n-1].Records.Live
	}
	ended := r.Metrics["Logouts/user"] + r.Metrics["Logouts/automatic"] + r.Metrics["Logouts/replaced"] + r.Metrics["Logouts/revoked_at_github"]
	p("## Checked at the end of the run\n\n")
	p("| check | result |\n|---|---|\n")
	p("| every session ended or is live: logins = logouts (all reasons) + live | %d = %d + %d: %s |\n", r.Metrics["Logins"], ended, live, okIf(r.Metrics["Logins"] == ended+int64(live)))
	p("| no live session past its end (its automatic logout ran) | %d past their end: %s |\n", r.SessionsPastEnd, okIf(r.SessionsPastEnd == 0))
	p("| no token alive at GitHub that neither a live session nor a retired record with its revocation scheduled holds | %d: %s |\n", r.OrphanTokens, okIf(r.OrphanTokens == 0))
	p("| retired records left (the backlog: tokens awaiting revocation), each with its revocation scheduled or abandoned after the retries | %d: %d scheduled (%d holding a token alive at GitHub, the others' users revoked theirs meanwhile), %d abandoned: %s |\n",
		r.RetiredAtEnd, r.RetiredScheduled, r.RetiredHeld, r.RevocationAbandoned, okIf(int64(r.RetiredScheduled)+r.RevocationAbandoned == int64(r.RetiredAtEnd)))
	p("| no retired record left with nothing scheduled (beyond those abandoned after the retries, kept for an operator) | %d: %s |\n", r.RetiredUnscheduled, okIf(r.RetiredUnscheduled == 0))
	var needed int64
	for _, n := range r.GHRevokeFirst {
		needed += int64(n)
	}
	p("| every token the service set out to revoke is revoked, revoked by its user meanwhile, or still awaiting: %d = %d + %d + %d | %s |\n",
		needed, r.LifeRevoked, r.KilledAwaiting, r.AwaitingAtEnd, okIf(needed == r.LifeRevoked+r.KilledAwaiting+r.AwaitingAtEnd))
	p("| the hourly backlog count equals the store's own count at the end of every day | %d days off: %s |\n", r.BacklogMiscounted, okIf(r.BacklogMiscounted == 0))
	p("| storage within its bound every day (table below) | %d days over: %s |\n", r.StorageBoundBroken, okIf(r.StorageBoundBroken == 0))
	p("| unexpected errors from the service | %d %s |\n", r.Errors, strings.Join(r.FirstErrors, "; "))
	p("| revocations GitHub failed (outage), retried: overdue after 1 h / abandoned | %d: %d / %d |\n\n", r.RevocationsFailed, r.RevocationsOverdue, r.RevocationAbandoned)
}

func okIf(b bool) string {
	if b {
		return "ok"
	}
	return "**FAILED**"
}

func (a *analysis) writeDays(p func(string, ...any)) {
	r := a.res
	p("## Live sessions and stored records, day by day\n\n")
	p("At the end of each day (00:00 UTC). *Bound* = live sessions + retired sessions (tokens awaiting revocation: the retry window and the backlog GitHub's rate limit leaves) "+
		"+ 4 × the login links made within the TTL lag (%s) and two link windows before: what TTL has not deleted yet. "+
		"Stored records stay under it, and do not grow with the total of logins.\n\n", r.Config.TTLLag)
	p("| day | logins | logouts: user / automatic / replaced / revoked at GitHub | live | retired | links, messages, quotas, pending (expired, lingering) | records | bound | logins so far | schedules |\n")
	p("|---|---|---|---|---|---|---|---|---|---|\n")
	for _, d := range r.Days {
		rc := d.Records
		p("| %s | %d | %d / %d / %d / %d | %d | %d | %d, %d, %d, %d (%d) | %d | %d | %d | %d |\n",
			d.Date.Format("Mon 01-02"), d.Logins, d.LogoutsUser, d.LogoutsAuto, d.LogoutsReplaced, d.LogoutsRevokedAtGitHub,
			rc.Live, rc.Retired, rc.Links, rc.Messages, rc.Quotas, rc.Pending, rc.Expired, rc.Total(), d.Bound, d.TotalLogins, d.SchedulesAlive)
	}
	p("\nSchedules alive at the peak: **%d** (%s), against EventBridge Scheduler's %s schedules per Region (%s, read %s).\n\n",
		r.PeakSchedules, r.PeakSchedulesAt.Format("Mon 2006-01-02 15:04 UTC"), num(limitSchedules.value), limitSchedules.source, limitSchedules.read)
}

func (a *analysis) writeFlows(p func(string, ...any)) {
	p("## Flows the service ran, and the AWS calls each costs\n\n")
	p("AWS calls per flow come from `shared/awsapp/testdata/aws-calls.json`, which `TestAWSCallsPerFlow` writes from the calls it counts against moto.\n\n")
	p("| flow | runs | costed as (aws-calls.json) | function | GitHub calls | note |\n|---|---|---|---|---|---|\n")
	for f := range numFlows {
		info := flows[f]
		p("| %s | %d | %s | %s | %d | %s |\n", info.name, a.flowTotals[f], info.measured, info.function, info.github, info.approx)
	}
	p("\n")
}

func (a *analysis) writeRates(p func(string, ...any)) {
	r := a.res
	p("## Peak and mean rates, against their limits\n\n")
	p("Peak: the busiest minute / 60 (per second) or the busiest 60 minutes (per hour), in the steady state (from day 8); " +
		"the launch week, when every user logs in for the first time on the first Monday, has a column of its own. Mean: over the steady state.\n\n")
	p("| what | total in the run | mean | peak | at | launch week's peak | limit | peak / limit | limit's source (read) |\n|---|---|---|---|---|---|---|---|---|\n")
	row := func(what string, s series, perHour bool, l *limit) {
		total := s.sum()
		steadyTotal, days := a.steadySum(s)
		var mean, peak, launch float64
		var at int
		unit := "/s"
		if perHour {
			unit = "/h"
			mean = steadyTotal / days / 24
			peak, at = a.peakHour(s)
			launch = a.launchPeakHour(s)
		} else {
			mean = steadyTotal / days / 86400
			pm, pat := a.peak(s)
			peak, at = pm/60, pat
			launch = a.launchPeak(s) / 60
		}
		lim, ratio, src := "", "", ""
		if l != nil {
			lim = fmt.Sprintf("%s %s", num(l.value), l.unit)
			ratio = fmt.Sprintf("%.2f", peak/l.value)
			if peak > l.value {
				ratio = "**" + ratio + "**"
			}
			src = fmt.Sprintf("%s (%s)", l.source, l.read)
		}
		p("| %s | %s | %s%s | %s%s | %s | %s%s | %s | %s | %s |\n", what, num(total), num(mean), unit, num(peak), unit, a.at(at), num(launch), unit, lim, ratio, src)
	}
	webhookLimit := limit{"API Gateway throttle, webhook route", a.in.webhookRate, "per second",
		fmt.Sprintf("template.yaml WebhookThrottlingRateLimit default (burst %v)", a.in.webhookBurst), "the template", ""}
	oauthLimit := limit{"API Gateway throttle, OAuth routes", a.in.defaultRate, "per second",
		fmt.Sprintf("template.yaml DefaultRouteSettings (burst %v)", a.in.defaultBurst), "the template", ""}
	row("API requests, webhook route", a.webhook, false, &webhookLimit)
	row("API requests, OAuth routes (link page, Continue, callback)", a.oauth, false, &oauthLimit)
	names := make([]string, 0, len(a.calls))
	for n := range a.calls {
		names = append(names, n)
	}
	sort.Strings(names)
	kms := make(series, a.minutes)
	for _, n := range names {
		var l *limit
		switch n {
		case "Scheduler.CreateSchedule":
			l = &limitSchedulerCreate
		case "Scheduler.DeleteSchedule":
			l = &limitSchedulerDelete
		}
		if strings.HasPrefix(n, "KMS.") {
			for m, v := range a.calls[n] {
				kms[m] += v
			}
		}
		row(n, a.calls[n], false, l)
	}
	row("KMS Encrypt + Decrypt (shared quota)", kms, false, &limitKMS)
	row("DynamoDB read request units (strongly consistent GetItem)", a.rru, false, nil)
	row("DynamoDB write request units (transactional items count 2)", a.wru, false, nil)
	for _, fn := range []string{"WebhookFunction", "CallbackFunction", "LogoutFunction"} {
		row("Lambda invocations, "+fn, a.invoke[fn], false, nil)
	}
	row("EventBridge Scheduler invocations (the logout function's)", a.invoke["LogoutFunction"], false, &limitSchedulerInvoke)
	peakConc, at := a.peak(a.conc)
	steadyConc, days := a.steadySum(a.conc)
	p("| Lambda concurrent executions (estimate) | | %s | %s | %s | %s | %s | %.2f | %s (%s) |\n", num(steadyConc/days/1440), num(peakConc), a.at(at),
		num(a.launchPeak(a.conc)), num(limitLambda.value), peakConc/limitLambda.value, limitLambda.source, limitLambda.read)
	row("GitHub token revocations needed (sessions ended)", a.ghNeeded, true, &limitGitHubApp)
	// What GitHub accepted is set against the limit the run gave it.
	acceptedLimit := limitGitHubApp
	if r.Config.RevocationLimit > 0 {
		acceptedLimit.value = float64(r.Config.RevocationLimit)
		acceptedLimit.source = "the run's -revocation-limit, in windows of an hour (two windows can share a rolling hour); " + limitGitHubApp.source
	}
	row("GitHub token revocations accepted (client-credential calls)", a.ghAccepted, true, &acceptedLimit)
	row("GitHub token revocations refused for its rate limit (postponed by the service)", a.ghRefused, true, nil)
	row("GitHub code exchanges (token endpoint)", a.ghExchange, true, &limitGitHubTokens)
	row("GitHub /user (each on its own user's token: 5,000 an hour per user)", a.ghUser, true, nil)
	hook := make(series, a.minutes)
	for m, v := range r.HookPeakPerMinute {
		hook[m] = float64(v)
	}
	hp, hat := a.peak(hook)
	p("| Rocket.Chat incoming-webhook posts, busiest hook (one site of %d users) | | | %s/min | %s | %s/min | %s %s | **%.1f** | %s (%s) |\n\n",
		r.Config.Users/r.Config.Sites, num(hp), a.at(hat), num(a.launchPeak(hook)), num(limitRocketChatHook.value), limitRocketChatHook.unit, hp/limitRocketChatHook.value,
		limitRocketChatHook.source, limitRocketChatHook.read)
	p("Site-minutes over the hook's default limit: %d of %d (%d posts refused at the default settings: %s).\n\n",
		r.HookMinutesOver, a.minutes*r.Config.Sites, r.HookPostsOver, limitRocketChatHook.note)
	p("Concurrency is estimated with Little's law: invocations per second × (the bench's warm median per function + %s per GitHub call the flow makes). "+
		"The bench (%s) ran against moto on the same machine: %s.\n\n", githubLatency, benchPath, a.in.benchNote)
}

// writeScale extrapolates the measured peaks to other populations.
func (a *analysis) writeScale(p func(string, ...any)) {
	users := float64(a.res.Config.Users)
	type lim struct {
		name  string
		peak  float64
		mean  float64
		limit limit
	}
	perSec := func(s series) (float64, float64) {
		pk, _ := a.peak(s)
		t, d := a.steadySum(s)
		return pk / 60, t / d / 86400
	}
	perHour := func(s series) (float64, float64) {
		pk, _ := a.peakHour(s)
		t, d := a.steadySum(s)
		return pk, t / d / 24
	}
	kms := make(series, a.minutes)
	for n, s := range a.calls {
		if strings.HasPrefix(n, "KMS.") {
			for m, v := range s {
				kms[m] += v
			}
		}
	}
	var rows []lim
	add := func(name string, f func(series) (float64, float64), s series, l limit) {
		pk, mn := f(s)
		rows = append(rows, lim{name, pk, mn, l})
	}
	add("GitHub token revocations needed", perHour, a.ghNeeded, limitGitHubApp)
	add("GitHub code exchanges", perHour, a.ghExchange, limitGitHubTokens)
	add("API webhook route (template throttle)", perSec, a.webhook, limit{value: a.in.webhookRate, unit: "per second"})
	add("API OAuth routes (template throttle)", perSec, a.oauth, limit{value: a.in.defaultRate, unit: "per second"})
	add("Scheduler CreateSchedule", perSec, a.calls["Scheduler.CreateSchedule"], limitSchedulerCreate)
	add("Scheduler DeleteSchedule", perSec, a.calls["Scheduler.DeleteSchedule"], limitSchedulerDelete)
	add("Scheduler invocations", perSec, a.invoke["LogoutFunction"], limitSchedulerInvoke)
	add("KMS (shared)", perSec, kms, limitKMS)
	pc, _ := a.peak(a.conc)
	tc, dc := a.steadySum(a.conc)
	rows = append(rows, lim{"Lambda concurrency", pc, tc / dc / 1440, limitLambda})
	p("## As users grow\n\n")
	p("Measured at %s users; the other columns scale the measured peak linearly (**extrapolated**, not simulated: "+
		"a smaller population's peaks are burstier, a larger one's smoother). Each cell is peak / limit; over 1 the limit is met. "+
		"The last column is the population whose peak (mean) meets the limit.\n\n", num(users))
	pops := []float64{10_000, 100_000, 1_000_000, 10_000_000}
	p("| limit | per |")
	for _, n := range pops {
		tag := ""
		if n != users {
			tag = " (extrapolated)"
		}
		p(" %s%s |", num(n), tag)
	}
	p(" met at, peak (mean) |\n|---|---|")
	for range pops {
		p("---|")
	}
	p("---|\n")
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].peak/rows[i].limit.value > rows[j].peak/rows[j].limit.value })
	for _, r := range rows {
		p("| %s | %s %s |", r.name, num(r.limit.value), r.limit.unit)
		for _, n := range pops {
			ratio := r.peak / users * n / r.limit.value
			cell := fmt.Sprintf("%.2f", ratio)
			if ratio > 1 {
				cell = "**" + cell + "**"
			}
			p(" %s |", cell)
		}
		at := func(v float64) string {
			if v == 0 {
				return "never"
			}
			return num(r.limit.value / (v / users))
		}
		p(" %s (%s) |\n", at(r.peak), at(r.mean))
	}
	siteUsers := float64(a.res.Config.Users / a.res.Config.Sites)
	hook := 0.0
	for _, v := range a.res.HookPeakPerMinute[a.steady:] {
		hook = math.Max(hook, float64(v))
	}
	p("\nRocket.Chat's hook limit depends on a site's size, not on the total: the busiest hook of a %s-user site posted %s a minute at its peak, "+
		"so the default limiter (10 a minute) is met from about %s users per site; the README's set-up (a Post-as user with api-bypass-rate-limit) lifts it.\n\n",
		num(siteUsers), num(hook), num(10/(hook/siteUsers)))
}

// writeCost prices a month (30 days of the steady state).
func (a *analysis) writeCost(p func(string, ...any)) {
	users := float64(a.res.Config.Users)
	p("## Monthly cost at list prices (%s users)\n\n", num(users))
	p("30 days at the steady state's daily mean; us-east-1 list prices read %s, no free tier, no savings plan. "+
		"Lambda is costed at the bench's warm medians (%s: webhook %.2f ms, callback %.2f ms, logout %.2f ms) at %d MB, arm64: the **assumption** is that production runs as fast "+
		"as the bench against moto; GitHub's round trips (about %s each) are costed on a second line.\n\n",
		readOn, benchPath, a.in.warmMS["WebhookFunction"], a.in.warmMS["CallbackFunction"], a.in.warmMS["LogoutFunction"], lambdaMemoryMB, githubLatency)
	p("| item | monthly quantity | unit price | monthly cost | price source |\n|---|---|---|---|---|\n")
	total, fixed := 0.0, 0.0
	line := func(what string, qty float64, qtyUnit string, pr price, divisor float64) {
		cost := qty / divisor * pr.usd
		total += cost
		if pr == priceKMSKey || pr == priceSecret || pr == priceSecretCalls {
			fixed += cost // about the same whatever the number of users
		}
		p("| %s | %s %s | %s per %s | %s | %s |\n", what, num(qty), qtyUnit, fmt.Sprintf("$%g", pr.usd), pr.per, usd(cost), pr.source)
	}
	requests := a.monthly(a.webhook) + a.monthly(a.oauth)
	line("API Gateway HTTP API", requests, "requests", priceHTTPAPI, 1e6)
	invocations, gbs, gbsGitHub := 0.0, 0.0, 0.0
	for _, fn := range []string{"WebhookFunction", "CallbackFunction", "LogoutFunction"} {
		n := a.monthly(a.invoke[fn])
		invocations += n
		gbs += n * math.Ceil(a.in.warmMS[fn]) / 1000 * lambdaMemoryMB / 1024
	}
	var ghCalls float64
	for f := range a.flowTotals {
		s := make(series, a.minutes)
		for m := range a.res.PerMinute {
			s[m] = float64(a.res.PerMinute[m][f])
		}
		ghCalls += a.monthly(s) * float64(flows[f].github)
	}
	gbsGitHub = ghCalls * githubLatency.Seconds() * lambdaMemoryMB / 1024
	line("Lambda requests", invocations, "invocations", priceLambdaRequests, 1e6)
	line("Lambda duration at the bench's durations", gbs, "GB-s", priceLambdaArm, 1)
	line("Lambda duration waiting on GitHub (assumed)", gbsGitHub, "GB-s", priceLambdaArm, 1)
	line("DynamoDB writes", a.monthly(a.wru), "WRU", priceDynamoWrite, 1e6)
	line("DynamoDB reads", a.monthly(a.rru), "RRU", priceDynamoRead, 1e6)
	var recs float64
	for _, d := range a.res.Days {
		recs = math.Max(recs, float64(d.Records.Total()))
	}
	line(fmt.Sprintf("DynamoDB storage (%s items at most × %d B, assumed)", num(recs), itemBytes), recs*itemBytes/1e9, "GB-month", priceDynamoStorage, 1)
	line("EventBridge Scheduler invocations", a.monthly(a.invoke["LogoutFunction"]), "invocations", priceScheduler, 1e6)
	kms := 0.0
	for n, s := range a.calls {
		if strings.HasPrefix(n, "KMS.") {
			kms += a.monthly(s)
		}
	}
	line("KMS requests", kms, "requests", priceKMSRequests, 1e4)
	line("KMS key", 1, "key", priceKMSKey, 1)
	line("Secrets Manager secret", 1, "secret", priceSecret, 1)
	// Each warm instance reads the secret at start and then every 5 minutes.
	tc, dc := a.steadySum(a.conc)
	instances := math.Max(3, math.Ceil(tc/dc/1440)+3)
	secretCalls := instances * 30 * 24 * float64(time.Hour/secretRefresh)
	line(fmt.Sprintf("Secrets Manager calls (about %.0f warm instances, one read each 5 minutes)", instances), secretCalls, "calls", priceSecretCalls, 1e4)
	accessGB := requests * float64(a.in.accessLogBytes()) / 1e9
	lambdaGB := invocations * lambdaLogBytes / 1e9
	line(fmt.Sprintf("CloudWatch Logs ingestion: access logs (%d B a request, the template's format)", a.in.accessLogBytes()), accessGB, "GB", priceLogsIngest, 1)
	line(fmt.Sprintf("CloudWatch Logs ingestion: function logs (%d B an invocation, assumed)", lambdaLogBytes), lambdaGB, "GB", priceLogsIngest, 1)
	line(fmt.Sprintf("CloudWatch Logs storage (%d days kept)", logRetentionDays), (accessGB+lambdaGB)*logRetentionDays/30, "GB-month", priceLogsStore, 1)
	p("| **total** | | | **%s** (%s per 1,000 users) | |\n\n", usd(total), usd(total/users*1000))
	p("At 10 M users (**extrapolated**: every item but the key and the secret scales with the users; the Lambda and API Gateway prices fall past their first tiers, not counted) the month costs about %s.\n",
		usd((total-fixed)*10_000_000/users+fixed))
}

// writeRevocations reports the revocations against GitHub's rate limit: what
// GitHub accepted and refused, the backlog the service kept, and how long
// tokens outlived their sessions.
func (a *analysis) writeRevocations(p func(string, ...any)) {
	r := a.res
	p("## Token revocations against GitHub's rate limit\n\n")
	if r.Config.RevocationLimit == 0 {
		p("GitHub was modelled without a rate limit (`-revocation-limit=0`).\n\n")
	} else {
		p("GitHub accepts **%d revocations per window** of its primary rate limit for the app's client-credential calls (%s, read %s): "+
			"a fixed window that opens at the first call and resets an hour later (`x-ratelimit-reset`). Over it the fake refuses with the "+
			"`*session.RateLimitError` shared/github makes of GitHub's 403 (retry at the reset, spread over the next hour), and the service "+
			"postpones the revocation, durably: the retired record stays, with a schedule for the new time, and no attempt is used up. "+
			"The client's own pace (shared/github's 4,500 a rolling hour, and its memory of GitHub's reset) is not modelled: its type is "+
			"unexported, and on AWS each Lambda instance paces alone, so GitHub's refusal is what holds the fleet; the refused calls below "+
			"would mostly stay in the client with it, though each postponed run still costs its Lambda invocation, reads and KMS decrypt.\n\n",
			r.Config.RevocationLimit, limitGitHubApp.source, limitGitHubApp.read)
	}
	var needed, accepted, refused float64
	for m := range a.ghNeeded {
		needed += a.ghNeeded[m]
		accepted += a.ghAccepted[m]
		refused += a.ghRefused[m]
	}
	var maxWindow int32
	for _, n := range r.RevocationWindows {
		maxWindow = max(maxWindow, n)
	}
	peakNeeded, atNeeded := a.peakHour(a.ghNeeded)
	peakAccepted, atAccepted := a.peakHour(a.ghAccepted)
	p("| what | figure |\n|---|---|\n")
	p("| revocations needed (a session ended, first call for its token), in the run | %s; mean %s/h from day 8, busiest hour %s (%s) |\n",
		num(needed), num(a.ghNeeded[a.steady:].sum()/float64(max(1, a.minutes-a.steady))*60), num(peakNeeded), a.at(atNeeded))
	p("| revocations GitHub accepted | %s; most in one window of its limit **%d** (limit %d: %s); busiest 60 minutes %s (%s, two windows can share them) |\n",
		num(accepted), maxWindow, r.Config.RevocationLimit, okIf(r.Config.RevocationLimit == 0 || maxWindow <= int32(r.Config.RevocationLimit)), num(peakAccepted), a.at(atAccepted))
	p("| calls GitHub refused for its rate limit, each postponed by the service | %s |\n", num(refused))
	p("| tokens alive at GitHub after their session ended, revoked since: p99 / longest | %d tokens: **%s** / **%s** |\n",
		r.LifeRevoked, fmtDur(r.LifeP99), fmtDur(r.LifeLongest))
	p("| tokens of ended sessions still alive at the end (the backlog), the oldest ended | %d, %s before the end |\n", r.AwaitingAtEnd, fmtDur(r.LifeOldestAlive))
	peak, peakAt := BacklogSample{}, 0
	for i, b := range r.Backlog {
		if b.Retired > peak.Retired {
			peak, peakAt = b, i
		}
	}
	drained := "never, within the run"
	for _, b := range r.Backlog[peakAt:] {
		if b.Retired == 0 {
			drained = fmt.Sprintf("%s (%s after the peak)", b.At.Format("Mon 2006-01-02 15:04 UTC"), fmtDur(b.At.Sub(peak.At)))
			break
		}
	}
	p("| backlog of retired records (tokens awaiting revocation): peak | **%d** at %s |\n", peak.Retired, peak.At.Format("Mon 2006-01-02 15:04 UTC"))
	p("| backlog empty again after its peak | %s |\n\n", drained)
	p("The backlog day by day: retired records in the store (each a sealed token kept for its revocation), counted every hour.\n\n")
	p("| day | needed | accepted | refused | backlog: highest (at) | at the end of the day |\n|---|---|---|---|---|---|\n")
	perDay := 24 * 60
	for d := range r.Config.Days {
		var n, acc, ref float64
		for m := d * perDay; m < (d+1)*perDay && m < a.minutes; m++ {
			n, acc, ref = n+a.ghNeeded[m], acc+a.ghAccepted[m], ref+a.ghRefused[m]
		}
		hi, hiAt, end := 0, time.Time{}, 0
		for h := d * 24; h < (d+1)*24 && h < len(r.Backlog); h++ {
			if b := r.Backlog[h]; b.Retired > hi || hiAt.IsZero() {
				hi, hiAt = b.Retired, b.At
			}
			end = r.Backlog[h].Retired
		}
		p("| %s | %.0f | %.0f | %.0f | %d (%s) | %d |\n", r.Config.Start.Add(time.Duration(d)*24*time.Hour).Format("Mon 01-02"), n, acc, ref, hi, hiAt.Format("15:04"), end)
	}
	p("\n")
}

// fmtDur writes d in days, hours and minutes.
func fmtDur(d time.Duration) string {
	d = d.Round(time.Minute)
	days, h, m := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return fmt.Sprintf("%d d %d h %02d min", days, h, m)
	case h > 0:
		return fmt.Sprintf("%d h %02d min", h, m)
	default:
		return fmt.Sprintf("%d min", m)
	}
}
