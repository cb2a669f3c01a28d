//! A service's gateway load from Azure Monitor: the snapshot's `capacityPercent` and
//! the capacity gate of `remediate`.
//!
//! Classic tiers report `Capacity`, whose `Location` dimension is the region: a
//! multi-region (Premium) service has one value per region, and asked without a
//! dimension filter Azure Monitor averages them, so one busy region can hide behind
//! idle ones. The load is therefore read split by region (`$filter=Location eq '*'`,
//! one timeseries per region) and the busiest region counts. v2 tiers report
//! `CpuPercent_Gateway`, which has no dimension, so it is read whole. Should Azure
//! Monitor refuse the filter all the same (400: no such dimension for this metric
//! here), the load is read whole and the reading says so.
//!
//! Microsoft: the supported-metrics reference of `Microsoft.ApiManagement/service`
//! (`Capacity`: dimension `Location`; `CpuPercent_Gateway`: none) and the Azure Monitor
//! filter syntax (`$filter=Dimension eq '*'` returns one timeseries per value).

use serde_json::Value;

use super::apim::load_metric;
use super::ids::text;
use super::{ArmClient, ArmError};

/// The Azure Monitor metrics api-version.
const METRICS_API_VERSION: &str = "2024-02-01";

/// A service's gateway load as Azure Monitor reported it for the last hour.
#[derive(Debug, Clone, PartialEq)]
pub struct GatewayLoad {
    /// The metric read: `Capacity` or `CpuPercent_Gateway`.
    pub metric: &'static str,
    /// Whether the timeseries are split by region (false: one for the whole service).
    pub by_region: bool,
    /// Why a reading that should have been split by region is not: Azure Monitor's
    /// refusal of the region filter.
    pub split_refused: Option<String>,
    /// Each timeseries returned, in Azure Monitor's order.
    pub series: Vec<SeriesLoad>,
}

/// One timeseries of a [`GatewayLoad`].
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesLoad {
    /// Its region (the `Location` dimension's value), when the reading is split.
    pub region: Option<String>,
    /// Its newest 5-minute average, in percent; `None` when no data point of the window
    /// has one.
    pub percent: Option<f64>,
}

/// The highest load of a reading, and where.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Peak<'a> {
    /// Percent.
    pub percent: f64,
    /// The region, when the reading is split by region.
    pub region: Option<&'a str>,
}

impl GatewayLoad {
    /// The highest newest average among the timeseries that have one (what the snapshot
    /// records); `None` when none has data.
    pub fn peak(&self) -> Option<Peak<'_>> {
        self.series
            .iter()
            .filter_map(|s| {
                Some(Peak {
                    percent: s.percent?,
                    region: s.region.as_deref(),
                })
            })
            .fold(None, |best: Option<Peak>, next| match best {
                Some(best) if best.percent >= next.percent => Some(best),
                _ => Some(next),
            })
    }

    /// The load to gate on: the peak, provided every timeseries has data. A timeseries
    /// without data (a region that reported nothing in the last hour) is not 0 %: the
    /// load is then unknown, and the error says where.
    pub fn gate(&self) -> Result<Peak<'_>, String> {
        let silent: Vec<&SeriesLoad> = self.series.iter().filter(|s| s.percent.is_none()).collect();
        if self.series.is_empty() {
            return Err(format!(
                "Azure Monitor returned no {} timeseries for the last hour",
                self.metric
            ));
        }
        if !silent.is_empty() {
            let regions: Vec<&str> = silent.iter().filter_map(|s| s.region.as_deref()).collect();
            let whom = match regions.as_slice() {
                [] if self.series.len() == 1 => "the service".to_string(),
                [] => format!("{} of its {} timeseries", silent.len(), self.series.len()),
                [one] => format!("region {one}"),
                many => format!("regions {}", many.join(", ")),
            };
            return Err(format!(
                "Azure Monitor has no {} data point in the last hour for {whom}",
                self.metric
            ));
        }
        self.peak()
            .ok_or_else(|| format!("Azure Monitor returned no {} value", self.metric))
    }

    /// Reads `document` (a metrics answer), split by `dimension` when given.
    fn read(metric: &'static str, dimension: Option<&str>, document: &Value) -> GatewayLoad {
        let series = document
            .get("value")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .flat_map(|metric| {
                metric
                    .get("timeseries")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
            })
            .map(|series| SeriesLoad {
                region: dimension.and_then(|d| dimension_value(series, d)),
                percent: newest_average(series),
            })
            .collect();
        GatewayLoad {
            metric,
            by_region: dimension.is_some(),
            split_refused: None,
            series,
        }
    }
}

/// The dimension that splits a load metric by region: `Location` for `Capacity`; none
/// for the v2 tiers' `CpuPercent_Gateway`.
fn region_dimension(metric: &str) -> Option<&'static str> {
    metric
        .eq_ignore_ascii_case("Capacity")
        .then_some("Location")
}

/// The gateway load of a service: the newest 5-minute average of the last hour of
/// `Capacity` (classic tiers, per region) or `CpuPercent_Gateway` (v2 tiers). `None` on
/// tiers without such a metric (Consumption).
pub async fn gateway_load(
    client: &ArmClient,
    service: &str,
    sku: &str,
) -> Result<Option<GatewayLoad>, ArmError> {
    let Some(metric) = load_metric(sku) else {
        return Ok(None);
    };
    let end = chrono::Utc::now();
    let start = end - chrono::Duration::hours(1);
    let timespan = format!(
        "{}/{}",
        start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let path = format!("{service}/providers/Microsoft.Insights/metrics");
    let mut query = vec![
        ("metricnames", metric.to_string()),
        ("aggregation", "Average".to_string()),
        ("interval", "PT5M".to_string()),
        ("timespan", timespan),
    ];
    let url = |query: &[(&str, String)]| {
        let pairs: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        client.url(&path, METRICS_API_VERSION, &pairs)
    };
    let mut split_refused = None;
    if let Some(dimension) = region_dimension(metric) {
        query.push(("$filter", format!("{dimension} eq '*'")));
        match client.get(&url(&query)?).await {
            Ok(document) => return Ok(Some(GatewayLoad::read(metric, Some(dimension), &document))),
            Err(e) if e.status() == Some(400) => split_refused = Some(e.brief()),
            Err(e) => return Err(e),
        }
        query.pop();
    }
    let document = client.get(&url(&query)?).await?;
    Ok(Some(GatewayLoad {
        split_refused,
        ..GatewayLoad::read(metric, None, &document)
    }))
}

/// The value of dimension `name` of a timeseries (`metadatavalues`, any case).
fn dimension_value(series: &Value, name: &str) -> Option<String> {
    series
        .get("metadatavalues")?
        .as_array()?
        .iter()
        .find(|m| text(m, "/name/value").eq_ignore_ascii_case(name))
        .and_then(|m| m.get("value")?.as_str())
        .map(str::to_string)
}

/// The average of the newest data point of a timeseries that has one.
fn newest_average(series: &Value) -> Option<f64> {
    series
        .get("data")?
        .as_array()?
        .iter()
        .filter_map(|point| Some((text(point, "/timeStamp"), point.get("average")?.as_f64()?)))
        .max_by(|a, b| a.0.cmp(b.0))
        .map(|(_, average)| average)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn region(name: &str, data: Value) -> Value {
        json!({"metadatavalues": [{"name": {"value": "location", "localizedValue": "location"}, "value": name}], "data": data})
    }

    #[test]
    fn the_busiest_region_counts() {
        let doc = json!({"value": [{"timeseries": [
            region("West US", json!([{"timeStamp": "2026-01-01T00:00:00Z", "average": 95.0}, {"timeStamp": "2026-01-01T00:05:00Z", "average": 20.0}, {"timeStamp": "2026-01-01T00:10:00Z"}])),
            region("West US 2", json!([{"timeStamp": "2026-01-01T00:05:00Z", "average": 88.5}])),
        ]}]});
        let load = GatewayLoad::read("Capacity", Some("Location"), &doc);
        assert!(load.by_region);
        let peak = load.gate().unwrap();
        assert_eq!(
            (peak.percent, peak.region),
            (88.5, Some("West US 2")),
            "the newest point of each region, the highest of them"
        );
    }

    #[test]
    fn a_region_without_data_is_not_zero() {
        let doc = json!({"value": [{"timeseries": [
            region("West US", json!([{"timeStamp": "2026-01-01T00:05:00Z", "average": 30.0}])),
            region("West US 2", json!([{"timeStamp": "2026-01-01T00:05:00Z"}])),
        ]}]});
        let load = GatewayLoad::read("Capacity", Some("Location"), &doc);
        assert_eq!(load.peak().map(|p| p.percent), Some(30.0));
        let error = load.gate().unwrap_err();
        assert!(
            error.contains("no Capacity data point") && error.ends_with("region West US 2"),
            "{error}"
        );

        let empty = GatewayLoad::read(
            "Capacity",
            Some("Location"),
            &json!({"value": [{"timeseries": []}]}),
        );
        assert_eq!(empty.peak(), None);
        assert!(empty.gate().unwrap_err().contains("no Capacity timeseries"));

        let whole = GatewayLoad::read(
            "CpuPercent_Gateway",
            None,
            &json!({"value": [{"timeseries": [{"metadatavalues": [], "data": [{"timeStamp": "2026-01-01T00:05:00Z"}]}]}]}),
        );
        assert_eq!(
            whole.gate().unwrap_err(),
            "Azure Monitor has no CpuPercent_Gateway data point in the last hour for the service"
        );
    }

    #[test]
    fn only_capacity_is_split_by_region() {
        assert_eq!(region_dimension("Capacity"), Some("Location"));
        assert_eq!(region_dimension("CpuPercent_Gateway"), None);
        let whole = GatewayLoad::read(
            "CpuPercent_Gateway",
            None,
            &json!({"value": [{"timeseries": [{"data": [{"timeStamp": "2026-01-01T00:05:00Z", "average": 42.5}]}]}]}),
        );
        assert_eq!(
            whole.gate().unwrap(),
            Peak {
                percent: 42.5,
                region: None
            }
        );
    }
}
