package wiring

import (
	"errors"
	"fmt"

	"rcgithub/shared/chatops"
	"rcgithub/shared/config"
	"rcgithub/shared/githubapi"
	"rcgithub/shared/rocketchat"
	"rcgithub/shared/web"
)

// assembleChat turns on the commands that act at GitHub as the user: the
// GitHub API of cfg (githubapi on GITHUB_API_URL, or o.ConnectGitHub) and the
// claims that make an issue creation happen once per message (a.Claims,
// which every deployment gives). Late commands go to a.Deferrer (AWS: a
// queue), or, with o.DeferLocally, to a LocalDeferrer of this process; with
// neither, the user is told to try again.
func assembleChat(app *App, cfg config.Common, a Adapters, o Options, notifier *rocketchat.Notifier) error {
	if a.Claims == nil {
		return errors.New("wiring: no claims store (Adapters.Claims): the chat commands need one")
	}
	connect := o.ConnectGitHub
	if connect == nil {
		connect = githubapi.New(githubapi.Config{APIURL: cfg.GitHubAPIURL, HTTPClient: o.GitHubHTTPClient, Now: o.Now}).For
	}
	app.Chat = &chatops.Service{Sessions: app.Service, Connect: connect, Claims: a.Claims, Logger: o.Logger, Now: o.Now}
	deferrer := a.Deferrer
	if deferrer == nil && o.DeferLocally {
		app.LocalDeferrer = NewLocalDeferrer(app.Web.RunDeferred, o.Logger)
		app.LocalDeferrer.Unfinished = app.Web.TellUnfinished
		deferrer = app.LocalDeferrer
	}
	if err := app.Web.EnableChatOps(web.ChatOps{Service: app.Chat, Deferrer: deferrer, Messenger: notifier}); err != nil {
		return fmt.Errorf("wiring: %w", err)
	}
	return nil
}
