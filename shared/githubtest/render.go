package githubtest

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"time"
)

// The REST objects the repository and search routes answer with: every
// field GitHub's description requires, made-up where the stand-in has no
// such notion (sizes, SHAs, counts of what it does not keep).

func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func nodeID(kind string, id int64) string {
	return base64.StdEncoding.EncodeToString([]byte(kind + strconv.FormatInt(id, 10)))
}

// simpleUser is the description's simple-user for login.
func simpleUser(api, web, login string) map[string]any {
	u := newAPIUser(login, api, web)
	user := api + "/users/" + login
	return map[string]any{
		"login": login, "id": u.ID, "node_id": u.NodeID, "avatar_url": u.AvatarURL, "gravatar_id": "",
		"url": user, "html_url": web + "/" + login,
		"followers_url": user + "/followers", "following_url": user + "/following{/other_user}",
		"gists_url": user + "/gists{/gist_id}", "starred_url": user + "/starred{/owner}{/repo}",
		"subscriptions_url": user + "/subscriptions", "organizations_url": user + "/orgs",
		"repos_url": user + "/repos", "events_url": user + "/events{/privacy}",
		"received_events_url": user + "/received_events", "type": "User", "site_admin": false,
	}
}

// repoJSONLocked is the description's full-repository (full) or repository
// (as in a pull request's head and base). Callers hold s.mu.
func (s *Server) repoJSONLocked(r *http.Request, repo *repository, full bool) map[string]any {
	api, web := bases(r)
	sp := repo.spec
	fullName := sp.Owner + "/" + sp.Name
	u := api + "/repos/" + fullName
	host := r.Host
	open := 0
	var pushed time.Time
	for _, is := range repo.issues {
		if !is.Closed {
			open++
		}
		if is.Updated.After(pushed) {
			pushed = is.Updated
		}
	}
	if pushed.IsZero() {
		pushed = repo.created
	}
	visibility := "public"
	if sp.Private {
		visibility = "private"
	}
	var language any
	if sp.Language != "" {
		language = sp.Language
	}
	m := map[string]any{
		"id": repo.id, "node_id": nodeID("010:Repository", repo.id), "name": sp.Name, "full_name": fullName,
		"owner": simpleUser(api, web, sp.Owner), "private": sp.Private, "visibility": visibility,
		"html_url": web + "/" + fullName, "description": sp.Description, "fork": false, "url": u,
		"archive_url": u + "/{archive_format}{/ref}", "assignees_url": u + "/assignees{/user}",
		"blobs_url": u + "/git/blobs{/sha}", "branches_url": u + "/branches{/branch}",
		"collaborators_url": u + "/collaborators{/collaborator}", "comments_url": u + "/comments{/number}",
		"commits_url": u + "/commits{/sha}", "compare_url": u + "/compare/{base}...{head}",
		"contents_url": u + "/contents/{+path}", "contributors_url": u + "/contributors",
		"deployments_url": u + "/deployments", "downloads_url": u + "/downloads", "events_url": u + "/events",
		"forks_url": u + "/forks", "git_commits_url": u + "/git/commits{/sha}", "git_refs_url": u + "/git/refs{/sha}",
		"git_tags_url": u + "/git/tags{/sha}", "hooks_url": u + "/hooks",
		"issue_comment_url": u + "/issues/comments{/number}", "issue_events_url": u + "/issues/events{/number}",
		"issues_url": u + "/issues{/number}", "keys_url": u + "/keys{/key_id}", "labels_url": u + "/labels{/name}",
		"languages_url": u + "/languages", "merges_url": u + "/merges", "milestones_url": u + "/milestones{/number}",
		"notifications_url": u + "/notifications{?since,all,participating}", "pulls_url": u + "/pulls{/number}",
		"releases_url": u + "/releases{/id}", "stargazers_url": u + "/stargazers", "statuses_url": u + "/statuses/{sha}",
		"subscribers_url": u + "/subscribers", "subscription_url": u + "/subscription", "tags_url": u + "/tags",
		"teams_url": u + "/teams", "trees_url": u + "/git/trees{/sha}",
		"clone_url": web + "/" + fullName + ".git", "git_url": "git://" + host + "/" + fullName + ".git",
		"ssh_url": "git@" + host + ":" + fullName + ".git", "svn_url": web + "/" + fullName, "mirror_url": nil,
		"homepage": nil, "language": language, "license": nil,
		"forks": sp.Forks, "forks_count": sp.Forks, "stargazers_count": sp.Stars, "watchers": sp.Stars, "watchers_count": sp.Stars,
		"size": 108, "default_branch": sp.DefaultBranch, "open_issues": open, "open_issues_count": open,
		"has_issues": !sp.IssuesDisabled, "has_projects": true, "has_wiki": true, "has_pages": false,
		"has_downloads": true, "has_discussions": false, "archived": sp.Archived, "disabled": false,
		"pushed_at": timestamp(pushed), "created_at": timestamp(repo.created), "updated_at": timestamp(pushed),
	}
	if full {
		m["network_count"] = sp.Forks
		m["subscribers_count"] = 1
	}
	return m
}

// labelsJSON is the labels of an issue, as label objects.
func labelsJSON(api string, repo *repository, names []string) []map[string]any {
	out := make([]map[string]any, 0, len(names))
	for _, name := range names {
		h := fnv.New32a()
		h.Write([]byte(name))
		id := int64(h.Sum32())
		out = append(out, map[string]any{
			"id": id, "node_id": nodeID("010:Label", id), "name": name, "description": nil,
			"url":   api + "/repos/" + repo.spec.Owner + "/" + repo.spec.Name + "/labels/" + name,
			"color": fmt.Sprintf("%06x", h.Sum32()&0xffffff), "default": name == "bug" || name == "enhancement" || name == "documentation",
		})
	}
	return out
}

// issueJSONLocked is the description's issue; a pull request carries its
// pull_request links, as in GitHub's issue lists and search. Callers hold s.mu.
func (s *Server) issueJSONLocked(r *http.Request, repo *repository, is *issue) map[string]any {
	api, web := bases(r)
	full := repo.spec.Owner + "/" + repo.spec.Name
	n := strconv.Itoa(is.Number)
	u := api + "/repos/" + full + "/issues/" + n
	html := web + "/" + full + "/issues/" + n
	if is.Pull {
		html = web + "/" + full + "/pull/" + n
	}
	assignees := make([]map[string]any, 0, len(is.Assignees))
	for _, a := range is.Assignees {
		assignees = append(assignees, simpleUser(api, web, a))
	}
	var assignee any
	if len(assignees) > 0 {
		assignee = assignees[0]
	}
	state, closedAt := "open", any(nil)
	if is.Closed {
		state, closedAt = "closed", timestamp(is.Updated)
	}
	m := map[string]any{
		"id": is.id, "node_id": nodeID("05:Issue", is.id), "url": u, "repository_url": api + "/repos/" + full,
		"labels_url": u + "/labels{/name}", "comments_url": u + "/comments", "events_url": u + "/events",
		"html_url": html, "number": is.Number, "state": state, "title": is.Title, "body": nilIfEmpty(is.Body),
		"user": simpleUser(api, web, is.Author), "labels": labelsJSON(api, repo, is.Labels),
		"assignee": assignee, "assignees": assignees, "milestone": nil, "locked": false, "comments": 0,
		"closed_at": closedAt, "created_at": timestamp(is.Created), "updated_at": timestamp(is.Updated),
		"author_association": association(repo, is.Author),
	}
	if is.Pull {
		pu := api + "/repos/" + full + "/pulls/" + n
		m["pull_request"] = map[string]any{"url": pu, "html_url": html, "diff_url": html + ".diff", "patch_url": html + ".patch", "merged_at": nil}
	}
	return m
}

// pullJSONLocked is the description's pull-request-simple. Callers hold s.mu.
func (s *Server) pullJSONLocked(r *http.Request, repo *repository, is *issue) map[string]any {
	api, web := bases(r)
	m := s.issueJSONLocked(r, repo, is)
	full := repo.spec.Owner + "/" + repo.spec.Name
	n := strconv.Itoa(is.Number)
	pu := api + "/repos/" + full + "/pulls/" + n
	iu := api + "/repos/" + full + "/issues/" + n
	html := m["html_url"].(string)
	sha := fmt.Sprintf("%040x", is.id)
	delete(m, "pull_request")
	delete(m, "comments")
	delete(m, "events_url")
	delete(m, "labels_url")
	delete(m, "repository_url")
	reviewers := make([]map[string]any, 0, len(is.Reviewers))
	for _, login := range is.Reviewers {
		reviewers = append(reviewers, simpleUser(api, web, login))
	}
	repoJSON := s.repoJSONLocked(r, repo, false)
	ref := func(branch string) map[string]any {
		return map[string]any{"label": repo.spec.Owner + ":" + branch, "ref": branch, "sha": sha,
			"user": simpleUser(api, web, repo.spec.Owner), "repo": repoJSON}
	}
	href := func(u string) map[string]any { return map[string]any{"href": u} }
	m["id"] = is.id
	m["node_id"] = nodeID("011:PullRequest", is.id)
	m["url"] = pu
	m["diff_url"], m["patch_url"] = html+".diff", html+".patch"
	m["issue_url"] = iu
	m["commits_url"], m["review_comments_url"] = pu+"/commits", pu+"/comments"
	m["review_comment_url"] = api + "/repos/" + full + "/pulls/comments{/number}"
	m["comments_url"] = iu + "/comments"
	m["statuses_url"] = api + "/repos/" + full + "/statuses/" + sha
	m["merge_commit_sha"], m["merged_at"], m["auto_merge"], m["draft"] = nil, nil, nil, false
	m["requested_reviewers"], m["requested_teams"] = reviewers, []any{}
	m["head"] = ref("topic-" + n)
	m["base"] = ref(repo.spec.DefaultBranch)
	m["_links"] = map[string]any{
		"self": href(pu), "html": href(html), "issue": href(iu), "comments": href(iu + "/comments"),
		"review_comments": href(pu + "/comments"), "review_comment": href(m["review_comment_url"].(string)),
		"commits": href(pu + "/commits"), "statuses": href(m["statuses_url"].(string)),
	}
	return m
}

// releaseJSON is the description's release.
func (s *Server) releaseJSON(r *http.Request, repo *repository, rel release) map[string]any {
	api, web := bases(r)
	full := repo.spec.Owner + "/" + repo.spec.Name
	u := api + "/repos/" + full + "/releases/" + strconv.FormatInt(rel.id, 10)
	return map[string]any{
		"id": rel.id, "node_id": nodeID("07:Release", rel.id), "url": u, "assets_url": u + "/assets",
		"upload_url": u + "/assets{?name,label}", "html_url": web + "/" + full + "/releases/tag/" + rel.tag,
		"tarball_url": api + "/repos/" + full + "/tarball/" + rel.tag, "zipball_url": api + "/repos/" + full + "/zipball/" + rel.tag,
		"tag_name": rel.tag, "target_commitish": repo.spec.DefaultBranch, "name": rel.name, "body": nil,
		"draft": false, "prerelease": false, "created_at": timestamp(rel.published), "published_at": timestamp(rel.published),
		"author": simpleUser(api, web, rel.author), "assets": []any{},
	}
}

// association is the author's relation to repo (author-association).
func association(repo *repository, login string) string {
	switch {
	case login == repo.spec.Owner:
		return "OWNER"
	case repo.member(login):
		return "COLLABORATOR"
	}
	return "NONE"
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
