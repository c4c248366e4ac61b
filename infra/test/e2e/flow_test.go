package e2e

import (
	"crypto/rand"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	awsscheduler "github.com/aws/aws-sdk-go-v2/service/scheduler"

	"rcgithub/infra/test/e2e/apigw"
	"rcgithub/infra/test/e2e/stack"
	"rcgithub/shared/rocketchat"
	"rcgithub/shared/rocketchattest"
	"rcgithub/shared/session"
)

// newUser returns a Rocket.Chat user no other test uses.
func newUser(name string) rocketchattest.User {
	return rocketchattest.User{ID: "u" + strings.ToLower(rand.Text()), Name: name}
}

// newGitHubLogin returns a GitHub login no other test uses.
func newGitHubLogin(prefix string) string {
	return prefix + "-" + strings.ToLower(rand.Text()[:10])
}

func (f *fixture) key(u rocketchattest.User) session.Key {
	return session.Key{Site: session.NormalizeSite(chatSiteURL), UserID: u.ID}
}

// say posts text typed by u to the webhook through the API, as Rocket.Chat's
// outgoing webhook does, and returns what Rocket.Chat makes of the answer.
func (f *fixture) say(t *testing.T, u rocketchattest.User, text string) rocketchattest.Delivery {
	t.Helper()
	return f.send(t, f.outgoing.Message(u, text))
}

// send posts msg to the webhook through the API, as Rocket.Chat's outgoing
// webhook does (a retry or a replay sends the same message again), and
// returns what Rocket.Chat makes of the answer.
func (f *fixture) send(t *testing.T, msg rocketchat.Message) rocketchattest.Delivery {
	t.Helper()
	text := msg.Text
	body, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := f.api.Do(t.Context(), apigw.Request{Method: http.MethodPost, URL: f.params.PublicURL + "/rocketchat/webhook",
		Header: http.Header{"Content-Type": {"application/json"}}, Body: body, SourceIP: "198.51.100.7"})
	if err != nil {
		t.Fatalf("%q: %v", text, err)
	}
	return rocketchattest.Judge(resp.Status, resp.Header.Get("Content-Type"), resp.Body)
}

// reply says text and returns the direct message Rocket.Chat posts to u,
// failing unless it posts exactly that without retrying.
func (f *fixture) reply(t *testing.T, u rocketchattest.User, text string) string {
	t.Helper()
	d := f.say(t, u, text)
	if d.Posted == nil || d.Retry || d.Disabled {
		t.Fatalf("%q: Rocket.Chat posts %+v (status %d, retry %v, disabled %v, body %s); want a message",
			text, d.Posted, d.Status, d.Retry, d.Disabled, d.Body)
	}
	if d.Posted.Channel != "@"+u.Name {
		t.Errorf("%q: the answer goes to %q, want the user's DM @%s", text, d.Posted.Channel, u.Name)
	}
	return d.Posted.Text
}

var loginLinkPattern = regexp.MustCompile(`https://\S+/oauth/start\?link=[A-Za-z0-9_-]+`)

// loginLink asks for a login link in Rocket.Chat and returns it.
func (f *fixture) loginLink(t *testing.T, u rocketchattest.User) string {
	t.Helper()
	return f.loginLinkFor(t, u, "/github login")
}

// loginLinkFor asks for a login link with command (say "/github login
// public_repo") and returns it.
func (f *fixture) loginLinkFor(t *testing.T, u rocketchattest.User, command string) string {
	t.Helper()
	text := f.reply(t, u, command)
	link := loginLinkPattern.FindString(text)
	if link == "" || !strings.HasPrefix(link, f.params.PublicURL+"/oauth/start?") {
		t.Fatalf("%s answered %q; want a link to %s/oauth/start", command, text, f.params.PublicURL)
	}
	return link
}

// authorizeURL opens the login link in browser b, presses Continue, and
// returns where the service sends the browser: GitHub's authorize page.
func (f *fixture) authorizeURL(t *testing.T, b *apigw.Browser, u rocketchattest.User, link string) string {
	t.Helper()
	page := expectPage(t, "GET login link", b, link, http.StatusOK)
	if who := "User <strong>@" + u.Name + "</strong><br>on <strong>" + f.key(u).Site + "</strong>"; !strings.Contains(string(page.Body), who) {
		t.Errorf("the login page does not say who is connected (%s):\n%s", who, page.Body)
	}
	m := hiddenLink.FindStringSubmatch(string(page.Body))
	if m == nil || !strings.Contains(string(page.Body), `<form method="post" action="/oauth/start">`) {
		t.Fatalf("the login page has no form posting the link to /oauth/start:\n%s", page.Body)
	}
	resp, err := b.PostForm(t.Context(), f.params.PublicURL+"/oauth/start", url.Values{"link": {html.UnescapeString(m[1])}})
	if err != nil {
		t.Fatal(err)
	}
	location := resp.Header.Get("Location")
	if resp.Status != http.StatusSeeOther || !strings.HasPrefix(location, f.params.GitHubURL+"/login/oauth/authorize?") {
		t.Fatalf("POST /oauth/start: %d to %q; want 303 to GitHub's authorize page (%s)", resp.Status, location, resp.Body)
	}
	if len(b.Cookies(f.params.PublicURL+"/oauth/callback")) == 0 {
		t.Fatal("POST /oauth/start set no cookie the browser would send back to /oauth/callback")
	}
	return location
}

var hiddenLink = regexp.MustCompile(`<input type="hidden" name="link" value="([^"]+)">`)

// loggedIn is a completed login.
type loggedIn struct {
	browser     *apigw.Browser
	callbackURL string
	githubLogin string
	token       string // the GitHub token the service now keeps
}

// login runs the whole flow for u: /github login in Rocket.Chat, the login
// page, Continue, Authorize at GitHub as githubLogin, the callback page.
func (f *fixture) login(t *testing.T, u rocketchattest.User, githubLogin string) loggedIn {
	t.Helper()
	return f.loginWith(t, u, githubLogin, "/github login")
}

// loginWith is login, starting from command (say "/github login public_repo").
func (f *fixture) loginWith(t *testing.T, u rocketchattest.User, githubLogin, command string) loggedIn {
	t.Helper()
	before := f.github.LiveTokens(githubLogin)
	b := apigw.NewBrowser(f.api)
	authorize := f.authorizeURL(t, b, u, f.loginLinkFor(t, u, command))
	callback, err := f.github.Authorize(authorize, githubLogin)
	if err != nil {
		t.Fatal(err)
	}
	page := expectPage(t, "GET callback", b, callback, http.StatusOK)
	if text := pageText(page); !strings.HasPrefix(text, "Connected to GitHub as @"+githubLogin+" until ") {
		t.Fatalf("callback page says %q; want it connected as @%s", text, githubLogin)
	}
	var issued []string
	for _, tok := range f.github.LiveTokens(githubLogin) {
		if !slices.Contains(before, tok) {
			issued = append(issued, tok)
		}
	}
	if len(issued) != 1 {
		t.Fatalf("GitHub issued %d new tokens for %s during the login, want 1", len(issued), githubLogin)
	}
	return loggedIn{browser: b, callbackURL: callback, githubLogin: githubLogin, token: issued[0]}
}

// expectPage GETs rawURL in b and checks the status and that it is an HTML page.
func expectPage(t *testing.T, what string, b *apigw.Browser, rawURL string, status int) apigw.Response {
	t.Helper()
	resp, err := b.Get(t.Context(), rawURL)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if resp.Status != status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("%s: %d %s; want %d and an HTML page:\n%s", what, resp.Status, resp.Header.Get("Content-Type"), status, resp.Body)
	}
	return resp
}

var resultParagraph = regexp.MustCompile(`(?s)<p id="result">(.*?)</p>`)

// pageText is the message of a result page, as the person reads it.
func pageText(resp apigw.Response) string {
	m := resultParagraph.FindSubmatch(resp.Body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(string(m[1]))
}

// schedule is a logout schedule read back from EventBridge Scheduler (moto).
type schedule struct {
	Name  string
	Input string // the event the logout function is invoked with
	Job   session.Job
	Out   *awsscheduler.GetScheduleOutput
}

// schedulesOf returns the logout schedules whose input names u, read with
// ListSchedules and GetSchedule as an operator would.
func (f *fixture) schedulesOf(t *testing.T, u rocketchattest.User) []schedule {
	t.Helper()
	k := f.key(u)
	var found []schedule
	p := awsscheduler.NewListSchedulesPaginator(f.scheduler, &awsscheduler.ListSchedulesInput{GroupName: aws.String(f.stack.ScheduleGroup)})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("list schedules: %v", err)
		}
		for _, s := range page.Schedules {
			out, err := f.scheduler.GetSchedule(t.Context(), &awsscheduler.GetScheduleInput{
				GroupName: aws.String(f.stack.ScheduleGroup), Name: s.Name})
			if err != nil {
				t.Fatalf("get schedule %s: %v", aws.ToString(s.Name), err)
			}
			input := aws.ToString(out.Target.Input)
			var job session.Job
			if err := json.Unmarshal([]byte(input), &job); err != nil {
				t.Fatalf("schedule %s has an input that is no job: %q", aws.ToString(s.Name), input)
			}
			if job.Key() == k {
				found = append(found, schedule{Name: aws.ToString(s.Name), Input: input, Job: job, Out: out})
			}
		}
	}
	slices.SortFunc(found, func(a, b schedule) int { return a.Job.Attempt - b.Job.Attempt })
	return found
}

// onlySchedule returns u's one schedule, failing if there are more or none.
func (f *fixture) onlySchedule(t *testing.T, u rocketchattest.User) schedule {
	t.Helper()
	all := f.schedulesOf(t, u)
	if len(all) != 1 {
		t.Fatalf("%s has %d logout schedules, want 1: %+v", u.Name, len(all), all)
	}
	return all[0]
}

// fire invokes the logout function with a schedule's input, exactly as
// EventBridge Scheduler does when the schedule is due.
func (f *fixture) fire(t *testing.T, s schedule) {
	t.Helper()
	result, err := f.emulators[stack.Logout.Name].Invoke(t.Context(), []byte(s.Input))
	if err != nil {
		t.Fatalf("logout function invoked with %s: %v", s.Input, err)
	}
	if string(result) != "null" {
		t.Errorf("logout function returned %s, want null", result)
	}
}

// endSessionNow moves the end of u's live session (generation gen) to a
// minute ago, as if its lifetime had passed. It is the one thing the tests
// write to the table themselves: the session, its sealed token and its
// schedule stay what the functions made.
func (f *fixture) endSessionNow(t *testing.T, u rocketchattest.User, gen int64) {
	t.Helper()
	k := f.key(u)
	out, err := f.dynamodb.Scan(t.Context(), &awsdynamodb.ScanInput{
		TableName:                aws.String(f.stack.Table),
		FilterExpression:         aws.String("begins_with(pk, :kind) AND site = :site AND #user = :user AND generation = :gen"),
		ExpressionAttributeNames: map[string]string{"#user": "user"},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":kind": &ddbtypes.AttributeValueMemberS{Value: "session#"},
			":site": &ddbtypes.AttributeValueMemberS{Value: k.Site},
			":user": &ddbtypes.AttributeValueMemberS{Value: k.UserID},
			":gen":  &ddbtypes.AttributeValueMemberN{Value: itoa(gen)},
		},
	})
	if err != nil || len(out.Items) != 1 {
		t.Fatalf("find the live session item of %s: %d items, %v", u.Name, len(out.Items), err)
	}
	ended := time.Now().Add(-time.Minute).UTC()
	_, err = f.dynamodb.UpdateItem(t.Context(), &awsdynamodb.UpdateItemInput{
		TableName:        aws.String(f.stack.Table),
		Key:              map[string]ddbtypes.AttributeValue{"pk": out.Items[0]["pk"]},
		UpdateExpression: aws.String("SET ends = :ends"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":ends": &ddbtypes.AttributeValueMemberS{Value: ended.Format(time.RFC3339Nano)},
		},
	})
	if err != nil {
		t.Fatalf("move the end of %s's session: %v", u.Name, err)
	}
}

// messagesTo returns the direct messages the service sent u through the
// incoming webhook (outside of webhook answers).
func (f *fixture) messagesTo(u rocketchattest.User) []string {
	var texts []string
	for _, m := range f.chat.MessagesTo("@" + u.ID) {
		texts = append(texts, m.Text)
	}
	return texts
}

// gotMessage reports whether u got a direct message starting with prefix.
// The service sends them before its invocation returns.
func (f *fixture) gotMessage(u rocketchattest.User, prefix string) bool {
	return slices.ContainsFunc(f.messagesTo(u), func(m string) bool { return strings.HasPrefix(m, prefix) })
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
