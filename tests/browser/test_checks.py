"""The checks every journey step makes do catch what they are for."""
import pytest

pytestmark = pytest.mark.browser

BROKEN = """<!doctype html><html lang="ky"><head><title>Сыноо</title></head>
<body><main><h1>Сыноо</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<script>console.error("сынган"); setTimeout(() => { throw new Error("кулады"); });</script>
</main></body></html>"""


def test_a_step_fails_on_accessibility_violations_and_javascript_errors(open_journey):
    trip = open_journey("")
    trip.page.set_content(BROKEN)
    trip.page.wait_for_timeout(100)
    with pytest.raises(AssertionError, match=r"image-alt \(critical\)"):
        trip.step("broken page")
    with pytest.raises(AssertionError) as errors:
        trip.assert_no_javascript_errors()
    assert "console: сынган" in str(errors.value)
    assert "page error: кулады" in str(errors.value)
    assert (trip.shots / "01-broken-page.png").stat().st_size > 0
