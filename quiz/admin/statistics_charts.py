"""The statistics page's charts, from a `StatisticsReport` (SVG, see svg_plots)."""

from __future__ import annotations

import numpy as np
from markupsafe import Markup
from sqlalchemy.orm import Session

from quiz.admin import svg_plots
from quiz.admin.statistics import ItemRow, StatisticsError, StatisticsReport, cut_for, reference_form
from quiz.scoring.irt import item_curves

THETA = np.linspace(-4, 4, 161)


def score_distribution(report: StatisticsReport) -> Markup:
    return svg_plots.histogram(report.percents, "Score distribution", "percent score")


def item_map(report: StatisticsReport) -> Markup:
    thresholds = report.table.thresholds
    points = [svg_plots.Point(row.report.statistics.facility, row.report.statistics.discrimination, row.key,
                              row.report.state == "flagged")
              for row in report.rows if row.report.state != "too_few"
              and np.isfinite(row.report.statistics.discrimination)]
    return svg_plots.scatter(points, "Facility and discrimination (red: flagged)", "facility",
                             "discrimination (item–rest r)", (0, 1), (-0.5, 1),
                             guides_x=(thresholds.facility_low, thresholds.facility_high),
                             guides_y=(thresholds.discrimination_min,))


def item_characteristic(row: ItemRow) -> Markup | None:
    if row.a is None or row.b is None:
        return None
    p, information = item_curves([row.a], [row.b], THETA)
    series = [("P(right)", p[:, 0].tolist()), ("information", information[:, 0].tolist())]
    return svg_plots.curves(THETA.tolist(), series,
                            f"Item characteristic curve: {row.key} (a {row.a:.2f}, b {row.b:.2f})", "θ",
                            "probability / information", y_range=(0, max(1.0, float(information.max()) * 1.05)))


def test_information(session: Session, report: StatisticsReport) -> tuple[Markup | None, float | None]:
    """The reference form's information curve with the θ cut marked, and the cut."""
    calibration = report.calibration
    if calibration is None:
        return None, None
    versions = {row.version.id: row.version for row in report.rows}
    try:
        form, a, b = reference_form(report.assessment, calibration, versions)
        cut = cut_for(session, report.assessment, calibration)
    except StatisticsError:
        return None, None
    information = form.information(a, b, THETA)
    chart = svg_plots.curves(THETA.tolist(), [("information", information.tolist())],
                             f"Test information of the blueprint's reference form (calibration #{calibration.id})",
                             "θ", "information", marker=(f"θ cut {cut:.2f}", cut))
    return chart, cut
