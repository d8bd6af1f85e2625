/** The Dashboard's home: the user's orgs, each with their role, and their pending transfers. */
import {html} from '../html.js'
import {layout} from '../layout.js'
import {orgPath, type View} from '../view.js'

export async function homePage(view: View) {
  const [teams, transfers] = await Promise.all([view.backend.listTeams(), view.backend.listTransfers()])
  const pending = transfers.filter((transfer) => transfer.state === 'pending')
  return layout(view, {
    title: 'Your orgs',
    tab: 'orgs',
    teams,
    body: html`<h1>Your orgs</h1>
      ${
        teams.length === 0
          ? html`<section class="card">
              <p>
                You belong to no org yet. An admin adds you with <code>orgctl members:add</code>, or create one with
                <code>orgctl orgs:create</code>.
              </p>
            </section>`
          : html`<section class="card">
              <table>
                <thead>
                  <tr>
                    <th>Org</th>
                    <th>Your role</th>
                  </tr>
                </thead>
                <tbody>
                  ${teams.map(
                    (team) =>
                      html`<tr>
                        <td><a href="${orgPath(team.name)}">${team.name}</a></td>
                        <td><span class="badge ${team.role}">${team.role}</span></td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </section>`
      }
      ${pending.length > 0 ? html`<p><a href="/dashboard/transfers">${pending.length} pending transfer${pending.length === 1 ? '' : 's'}</a> to answer or cancel.</p>` : ''}`,
  })
}
