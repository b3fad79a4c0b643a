"""``python -m fivestar_dev demo``: the ``make demo`` journey with its summary printed.

Kept out of the ``fivestar`` command, which is what statisticians and the
Transparency Champion use in production; the demo is a development tool.
"""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(help="fivestar development tools.", no_args_is_help=True,
                  add_completion=False)
console = Console()
err = Console(stderr=True)


@app.callback()
def _private_state(
    debug: bool = typer.Option(False, "--debug",
                               help="Show Dagster's log, with the stack trace of a failed step."),
) -> None:
    """A private umask and a 0700 state folder, as for every ``fivestar`` command."""
    from pipelines.cli import prepare_process

    prepare_process(debug=debug)


@app.command()
def accounts() -> None:
    """Set up the demo's review service (home, the demo accounts with their public
    passwords, the publication sensor's token) and print the accounts."""
    from fivestar_dev.demo_accounts import DEMO_USERS, demo_setup
    from pipelines import paths
    from pipelines.ckan_resource import catalogue_publisher_token, ckan_url
    from pipelines.release.home import ServiceHome
    from pipelines.review.admin import default_home

    demo_setup(ServiceHome(default_home()), ckan_url=ckan_url(),
               ckan_token=catalogue_publisher_token(),
               publisher_token_file=paths.STATE_DIR / "publisher.token")
    for username, (_name, role, password) in DEMO_USERS.items():
        console.print(f"{username} ({role.value}) password: {password}", markup=False)


@app.command()
def demo(
    serve: bool = typer.Option(True, help="Start the Dagster UI and review app afterwards."),
) -> None:
    """The whole journey on the bundled datasets: stage, approve, publish, verify."""
    from fivestar_dev import demo as journey

    result = journey.run_demo(log=lambda m: console.print(f"[dim]{m}[/]"))
    console.print("[bold]Published[/] (every public file re-downloaded anonymously and "
                  "matched against the approved manifest):")
    for ds, url in result.published.items():
        console.print(f"  {ds}  release {result.staged[ds][:12]}  "
                      f"{result.verified.get(ds, '-')} files verified  {url}", soft_wrap=True)
    if result.public_side:
        from pipelines.catalogue.public_check import front_url
        from pipelines.linkeddata.store import store_url

        console.print("[bold]Linked data[/] (URIs resolve; SPARQL and the DataStore API serve "
                      f"every row; SPARQL endpoint {store_url()}/fivestar/sparql):")
        for ds, side in result.public_side.items():
            console.print(f"  {ds}  {side.linked_data}  {side.uris_resolved} URIs resolved, "
                          f"SPARQL {side.sparql_rows} rows, "
                          f"DataStore {side.datastore_rows} rows", soft_wrap=True)
        console.print(f"  (linked-data front {front_url()})")
    for ds, (version, notes) in result.corrected.items():
        console.print(f"[bold]Corrected[/]: {ds} published as version {version}, with the "
                      f"revision notes: {notes}", soft_wrap=True)
    for f in result.failures:
        err.print(f"[red]{f}[/]")
    if serve:
        for name, url in journey.start_background_services(log=console.print).items():
            console.print(f"{name}: {url}")
        console.print(f"log in to the review app as [bold]{journey.CHAMPION}[/] (champion) "
                      f"or [bold]{journey.STATISTICIAN}[/] (statistician); passwords are in "
                      "the README", soft_wrap=True)
    if result.failures or not result.published:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
