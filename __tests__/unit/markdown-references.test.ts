// What GitHub autolinks in rendered Markdown (mentions, issue and commit references) made inert by the
// report's text helpers; code spans keep their text (GitHub never searches them).
import { describe, expect, it } from 'vitest'
import { code, html, mdText } from '../../src/report/markdown.js'

const ZWSP = '\u200B'

describe('references GitHub would autolink', () => {
  it.each([
    ['@octocat', `@${ZWSP}octocat`],
    ['@acme/admins', `@${ZWSP}acme/admins`],
    ['see #12', `see \\#${ZWSP}12`],
    ['GH-123 fixed', `GH-${ZWSP}123 fixed`],
    ['gh-7', `gh-${ZWSP}7`],
    ['(GH-9)', `(GH-${ZWSP}9)`],
    ['owner/repo#12', `owner/repo\\#${ZWSP}12`],
    ['owner/repo@1a2b3c4d', `owner/repo@${ZWSP}1a2b3c4d`],
    ['octocat@1a2b3c4', `octocat@${ZWSP}1a2b3c4`]
  ])('mdText(%j) cannot link', (given, expected) => {
    expect(mdText(given)).toBe(expected)
  })

  it('html() neutralises them the same way', () => {
    expect(html('GH-1 owner/repo#2 owner/repo@abcdef1 @u')).toBe(
      `GH-${ZWSP}1 owner/repo#${ZWSP}2 owner/repo@${ZWSP}abcdef1 @${ZWSP}u`
    )
  })

  it('leaves look-alikes that GitHub does not link, and code spans, as written', () => {
    expect(mdText('GH-x BIGH-12 ssh-2')).toBe('GH-x BIGH-12 ssh-2')
    expect(code('GH-123 owner/repo#12')).toBe('`GH-123 owner/repo#12`')
  })
})
