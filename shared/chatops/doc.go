// Package chatops is what a connected Rocket.Chat user does at GitHub from
// chat: their profile and their open work, a repository's card, its open
// issues and pull requests, a new issue, and search.
//
// Like package session it knows nothing of HTTP or of GitHub's wire format:
// GitHub (this file's port) is implemented by githubapi with go-github, the
// tokens come from session.Service (Sessions), and the web edge words every
// answer. Errors are reasons (the types in errors.go), never sentences.
package chatops
