/**
 * Grafana provisioning files for Vigil: a Prometheus data source pointing at Vigil's query API,
 * with the API key sent as `x-api-key` from an environment variable of Grafana's, and a file
 * dashboard provider over the folder of the JSON models.
 * @see https://grafana.com/docs/grafana/latest/administration/provisioning/
 */

/** Grafana's environment variable holding the Vigil API key (never written into the files). */
const GRAFANA_API_KEY_ENV = 'VIGIL_API_KEY';
/** The header Vigil reads the key from (`domain/auth/extract-api-key.ts`). */
const API_KEY_HEADER = 'x-api-key';

/**
 * `datasources/vigil.yaml`: one Prometheus data source. `$VIGIL_API_KEY` is interpolated by
 * Grafana when it reads the file; locally without keys it may be unset (an empty header is no key).
 *
 * @param url - Vigil's base URL, without a trailing slash (Grafana appends `/api/v1/…`)
 */
const grafanaDataSourceFile = (o: {
  readonly project: string;
  readonly uid: string;
  readonly url: string;
}) => ({
  apiVersion: 1,
  datasources: [
    {
      name: `Vigil (${o.project})`,
      uid: o.uid,
      type: 'prometheus',
      access: 'proxy',
      url: o.url.replace(/\/+$/, ''),
      editable: false,
      jsonData: {
        // Vigil's query API takes form-encoded POSTs like Prometheus's: long queries fit.
        httpMethod: 'POST',
        prometheusType: 'Prometheus',
        httpHeaderName1: API_KEY_HEADER,
      },
      secureJsonData: { httpHeaderValue1: `$${GRAFANA_API_KEY_ENV}` },
    },
  ],
});

/**
 * `dashboards/vigil.yaml`: a file provider loading every JSON model in `path` into the folder
 * `Vigil (<project>)`; the files are the source of truth, so edits in the UI are not saved.
 *
 * @param path - the dashboards folder as Grafana's process sees it
 */
const grafanaDashboardProviderFile = (o: { readonly project: string; readonly path: string }) => ({
  apiVersion: 1,
  providers: [
    {
      name: `vigil-${o.project}`,
      orgId: 1,
      folder: `Vigil (${o.project})`,
      type: 'file',
      disableDeletion: false,
      allowUiUpdates: false,
      updateIntervalSeconds: 60,
      options: { path: o.path, foldersFromFilesStructure: false },
    },
  ],
});

export { API_KEY_HEADER, GRAFANA_API_KEY_ENV, grafanaDashboardProviderFile, grafanaDataSourceFile };
