/** The frame of every Dashboard page: header, org switcher, tabs, and the one stylesheet and script. */
import type * as R from '../api/resources.js'
import {ASSETS} from './assets.js'
import {html, type Html, type Part} from './html.js'
import {type FormProblem, ORG_TABS, type OrgTab, orgPath, tabsFor, type View} from './view.js'

export interface PageFrame {
  title: string
  /** The org the page is about, with the user's role in it (for its tabs). */
  team?: Pick<R.Team, 'name' | 'role'>
  tab?: OrgTab | 'transfers' | 'orgs'
  /** The user's orgs, for the switcher. */
  teams?: readonly Pick<R.Team, 'name' | 'role'>[]
  body: Part
}

const current = (yes: boolean) => (yes ? html` aria-current="page"` : '')

export function layout(view: View | undefined, frame: PageFrame): Html {
  const {team, tab} = frame
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${frame.title} · orgctl</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="${ASSETS.style.path}" />
        <script src="${ASSETS.script.path}" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/dashboard">orgctl Dashboard</a>
          ${
            view
              ? html`<a href="/dashboard/transfers" ${current(tab === 'transfers')}>Transfers</a>
                  <span class="who">${view.email}</span>
                  <form class="inline" method="post" action="/dashboard/sign-out">
                    ${csrfField(view)}<button class="secondary" type="submit">Sign out</button>
                  </form>`
              : ''
          }
        </header>
        ${
          frame.teams && frame.teams.length > 0
            ? html`<nav class="orgs" aria-label="Your orgs">
                ${frame.teams.map((each) => html`<a href="${orgPath(each.name)}" ${current(each.name === team?.name)}>${each.name}</a>`)}
              </nav>`
            : ''
        }
        ${
          team
            ? html`<nav class="tabs" aria-label="Org ${team.name}">
                ${tabsFor(team).map((each) => html`<a href="${orgPath(team.name, each.id)}" ${current(each.id === tab)}>${each.label}</a>`)}
              </nav>`
            : ''
        }
        <main id="main">${view?.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ''} ${frame.body}</main>
      </body>
    </html> `
}

export const csrfField = (view: Pick<View, 'csrf'>) => html`<input type="hidden" name="csrf" value="${view.csrf}" />`

/** The refusal of this form, if it was the one refused: beside it, announced to screen readers. */
export function formError(problem: FormProblem | undefined, form: string): Html | '' {
  return problem?.form === form ? html`<p class="error" role="alert" id="${form}-error">${problem.message}</p>` : ''
}

/** What was typed into this form before it was refused, to fill it again. */
export function typed(problem: FormProblem | undefined, form: string, field: string): string {
  return problem?.form === form ? (problem.values.get(field) ?? '') : ''
}

/** An org tab's page: titled and headed by the tab and the org (`Access · acme`), framed with the org's tabs. */
export function orgTabLayout(
  view: View,
  page: {org: string; tab: OrgTab; team: PageFrame['team']; teams: PageFrame['teams']; body: Part},
): Html {
  const label = ORG_TABS.find((each) => each.id === page.tab)!.label
  return layout(view, {
    title: `${label} · ${page.org}`,
    team: page.team,
    teams: page.teams,
    tab: page.tab,
    body: html`<h1>${label} <span class="muted">· ${page.org}</span></h1>${page.body}`,
  })
}
