// OWL 2 DL profile and consistency of ontology + data, with the OWL API and Pellet that the
// owlready2 wheel ships (no download): java -cp '<owlready2>/pellet/*' OwlDlCheck.java FILE...
// Prints one line per profile violation, then "profile: OWL 2 DL" or "profile: not OWL 2 DL",
// then "consistent: true|false". Exit status 0 only when in OWL 2 DL and consistent.
import java.io.File;
import java.util.List;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.util.OWLOntologyMerger;
import com.clarkparsia.pellet.owlapiv3.PelletReasonerFactory;
import org.semanticweb.owlapi.reasoner.OWLReasoner;

public class OwlDlCheck {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        for (String path : args) {
            manager.loadOntologyFromOntologyDocument(new File(path));
        }
        OWLOntology merged = new OWLOntologyMerger(manager)
            .createMergedOntology(manager, IRI.create("urn:ewkg:merged"));
        OWLProfileReport report = new OWL2DLProfile().checkOntology(merged);
        List<OWLProfileViolation> violations = report.getViolations();
        for (OWLProfileViolation v : violations) {
            System.out.println("violation: " + v.toString().replace('\n', ' '));
        }
        System.out.println("profile: " + (report.isInProfile() ? "OWL 2 DL" : "not OWL 2 DL"));
        OWLReasoner reasoner = PelletReasonerFactory.getInstance().createReasoner(merged);
        boolean consistent = reasoner.isConsistent();
        System.out.println("consistent: " + consistent);
        System.exit(report.isInProfile() && consistent ? 0 : 1);
    }
}
