"""Named jobs per dataset, so runs can be submitted to the run queue by name.

``<prefix>__stage`` materialises the staging assets (and their blocking
checks); ``<prefix>__publish`` the ``published`` asset. Publication runs carry
``fivestar/operation=publish`` on every run, which the queued run coordinator
limits (``deploy/dagster/distributed.yaml``).
"""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

from pipelines import assets as asset_graph
from pipelines.spec import DatasetSpec
from pipelines.workload import publication_tags


def stage_job_name(spec: DatasetSpec) -> str:
    return f"{spec.asset_key_prefix}__stage"


def publish_job_name(spec: DatasetSpec) -> str:
    return f"{spec.asset_key_prefix}__publish"


def dataset_jobs(spec: DatasetSpec, present: set) -> list:
    """The staging and publication jobs of one dataset (only over assets that exist)."""
    parts = asset_graph.partitions_for(spec)
    staging = [k for k in (asset_graph.key(spec, s) for s in asset_graph.STAGING_STAGES)
               if k in present]
    jobs = [define_asset_job(stage_job_name(spec), selection=AssetSelection.assets(*staging),
                             partitions_def=parts,
                             description=f"Stage a release of {spec.title}.")]
    published = asset_graph.key(spec, "published")
    if published in present:
        jobs.append(define_asset_job(publish_job_name(spec),
                                     selection=AssetSelection.assets(published),
                                     partitions_def=parts, tags=publication_tags(spec.id),
                                     description=f"Publish an approved release of {spec.title}."))
    return jobs
