# ruff: noqa: E501  (the texts are data, one per line)
"""Write tests/data/tagging_heldout.jsonl from the lists below (run once; the .jsonl is the data).

Written independently of portal/demo/texts.py: different wording, misspellings, local place names,
procurement language, situations described without the commitment's words, and texts about no
commitment at all (slug None). Never copy these into the demo texts.
"""

from jsonl import write

TEXTS: dict[str | None, list[str]] = {
    "social-value-weighting-in-procurement": [
        "What percentage of the tender evaluation will actually go to social value? We bid for the Wirral depot cleaning contract and it looked like price was 90% of the marks.",
        "As a small contractor in St Helens we keep losing on cost alone. If community benefit counted for a fixed share of the score we could compete.",
        "Please publish the weighting you will apply in the award criteria. 10% is tokenistic, 20% would change behaviour.",
        "scoring for social value on your framworks is all over the place, one lot 5% another none at all",
        "The Invitation to Tender for the bus shelter maintenance lot set out quality 40 / price 60 with no separate criterion for local employment or apprenticeships. Will that change from next year?",
        "You said you'd have a minimum score for social value in contracts by March 2023. Did it happen?",
        "Our firm in Speke put together a really strong offer of local jobs and it was worth 2 marks out of a hundred. Not worth the effort of writing it.",
        "Can the evaluation matrix include a mandatory social value question with a pass mark so bidders cant just ignore it",
    ],
    "early-clarity-on-social-value-requirements": [
        "We only found out what community benefits you wanted after the contract was signed. Tell suppliers at the start.",
        "At the supplier day in Liverpool nobody could say what social value outcomes you expected from the ticketing contract.",
        "Please put the social value asks in the prior information notice so SMEs have time to plan partnerships.",
        "The pre market engagment session was useful but the requirments were vague, we had to guess",
        "Could your buyers give us an early steer on which TOMs measures matter before the tender drops? Six weeks is not long enough to line up a charity partner.",
        "Bidders need the expectations up front, not buried on page 40 of the specification.",
        "I run a small engineering firm in Widnes. It would help to have a plain English guide to what you expect on social value before we decide whether to bid.",
        "Market sounding questionnaire didn't mention social value at all and then the ITT had a whole section on it.",
    ],
    "safe-spaces-at-stations-and-travel-centres": [
        "Late at night at Moorfields I felt really unsafe with a group following me. Is there anywhere in the station I can go and wait?",
        "My daughter got lost at Lime Street and the staff were brilliant, took her into the office and rang me.",
        "Please put signs up saying which ticket offices people can go to if they are being harassed.",
        "as a woman travelling alone after 10pm the walk through Hamilton Square is scary, would be good if staff knew what to do",
        "Are the staff at the Queen Square travel centre trained to help someone fleeing domestic abuse?",
        "Someone was having a panic attack on the platform at Birkenhead North and nobody knew where to take him.",
        "A refuge for vulnerable people in the stations would be great but it needs to be advertised, I had no idea it existed",
        "The guard at Kirkby told me I could sit in the waiting room with staff until my taxi came, which made me feel so much safer.",
    ],
    "foodbank-collection-points": [
        "Could you put a donation box for tins and pasta at Southport station? Loads of us would drop stuff off on the way to work.",
        "The collection crate at Liverpool One bus station is always overflowing, please empty it more often.",
        "Where can I donate food at Birkenhead bus station? I could not see a box.",
        "Our church runs the Kirkby food pantry and we would love a drop off point at the travel centre.",
        "fod bank box at st helens central was removed, why?",
        "Families in Knowsley are struggling with the cost of living, please make it easier for commuters to give groceries at stations.",
        "Great to see the trolley for non perishables at the Queen Square travel centre, can you do the same in Huyton?",
        "Could the ticket office take donations of toiletries and nappies for the local hub?",
    ],
    "transport-user-data": [
        "You never ask us how we travel. A proper passenger survey on the 10A route would show the timetable does not fit shift workers.",
        "Your journey planner still shows the old route through Netherton, the information is out of date.",
        "Count how many wheelchair users use Bootle New Strand and you'd see the lift is needed every day.",
        "The buses from Halewood are packed at 7am and empty at 9 — use the smart card taps to match buses to when people actually travel.",
        "Please publish ridership statistics by stop so community groups can make the case for services.",
        "why does nobody collect info on who uses the ferry, disabled people, young people etc",
        "The Walrus card data must show where people go. Use it to plan routes, not guesses.",
        "Do you record what language passengers speak or whether they need assistance? Without that you can't design services for them.",
    ],
    "transport-hubs-as-community-assets": [
        "The empty unit at Birkenhead bus station could be used by a local charity or a community cafe.",
        "Why not let youth groups use the meeting room at the travel centre in the evenings?",
        "Our residents association in Norris Green needs somewhere to meet. The interchange has space doing nothing.",
        "Stations should be more than places to catch a train: host markets, library drop boxes, a bit of life.",
        "Could the old booking hall at Hunts Cross become a community space? It's been boarded up for years.",
        "Local artists would love to display work on the concourse at Liverpool South Parkway.",
        "make the bus staton in runcorn a place people want to be, pop up health checks, advice sessions, that kind of thing",
        "A repair cafe or a citizens advice desk at the interchange in Prescot would really help the neighbourhood.",
    ],
    "fair-employment-charter": [
        "Are contractors cleaning your stations paid the living wage? The ones I spoke to in Bootle were on minimum wage with no sick pay.",
        "Zero hours contracts for security staff at the interchange are not fair work.",
        "Please make your suppliers pay at least the Foundation rate, £12 an hour is not enough in 2024.",
        "Apprentices at your depots should have a route to a permanent job not just 12 months and out.",
        "My son works for a catering firm supplying the ferries and gets no training and no progression, just shifts texted the night before.",
        "Good employment practice should be a condition of every grant the Combined Authority gives to businesses.",
        "Would you support the Liverpool City Region Fair Employment Charter being written into supplier contracts?",
        "low pay and insecure hours for bus drivers at some of the operators, the CA should lean on them",
    ],
    "diverse-transport-workforce": [
        "Every driver I see on the Merseyrail trains is a white man. Do you recruit women?",
        "Outreach to schools in Toxteth and Granby would help more Black and Asian young people think about engineering careers in transport.",
        "Is there a gender pay gap report for Merseytravel?",
        "My niece was the only woman on her engineering apprenticeship at the depot and she left after six months.",
        "The board photo on your website is all middle aged white men, that says something.",
        "Please advertise jobs in community centres and mosques, not only online.",
        "More female ferry crew and tunnel officers would make women passengers feel more comfortable too.",
        "ethnic minorty staff are under represented in management at the CA, what's the plan",
    ],
    "social-value-in-all-activity": [
        "Social value should not just be a procurement box, it should shape how you hire, invest and run services.",
        "Think about the whole organisation: your own staffing, your grants, your buildings, not only suppliers.",
        "When you fund a new road or scheme, ask what difference it makes to local people, not just whether the contractor ticked the social value form.",
        "It feels like social value only comes up when buying things. What about how you deliver your own services day to day?",
        "Embed community benefit across every directorate, from HR to capital programmes.",
        "the framework reads as a purchasing policy. it should cover everything the authority does",
    ],
    "costs-and-benefits-in-investment-decisions": [
        "When you appraise the new station at Headbolt Lane do you put a value on the jobs and health benefits, or just the fare revenue?",
        "The business case for the bus franchising decision should show the wider social return, not just the financial figures.",
        "Please show your workings: how much does social value cost you and what do we get for it?",
        "Investment appraisals should include the benefit to deprived communities, otherwise the richest areas always win on BCR.",
        "Is there a social return on investment figure for the Mersey Ferries refurbishment? It would help taxpayers judge value for money.",
        "Before spending millions on a scheme, weigh up who gains and who loses, in money terms if you can.",
        "cost benefit analysis for the city region sustainable transport programme ignores the social side",
    ],
    "anchor-institutions": [
        "Join up with the universities, hospitals and the councils so you all buy locally together.",
        "The NHS trusts and Liverpool John Moores could pool their supply chains with the Combined Authority for bigger local impact.",
        "Get the big public bodies round a table and agree shared social value targets for the city region.",
        "Alder Hey, the universities and the port are huge employers here, work with them on local hiring.",
        "Partnership with housing associations and colleges would spread the benefit further than going it alone.",
        "why isnt there a city region wide social value partnership of the big organisations, councils, hospitals, unis",
    ],
    "environmental-benefits": [
        "Electric buses in Wirral would cut the fumes on the main roads where kids walk to school.",
        "Please count carbon savings as part of the value contractors deliver, not just jobs.",
        "Plant trees and wildflowers along the old railway lines, it helps wildlife and air quality.",
        "The diesel ferries pump out smoke on the river, when will they be replaced with something cleaner?",
        "Recycling bins at stations are always full of general waste. Sort it properly.",
        "Reward suppliers who cut emissions and waste on your contracts.",
        "air pollution in the tunnel approaches is terrible, the CA should do more for the enviroment",
        "Solar panels on the roofs of bus stations and depots, surely?",
    ],
    "engaging-transport-providers-and-service-users": [
        "You should hold regular passenger forums in each borough so people can have their say on the framework.",
        "Ask the bus operators what they think before you set social value rules for them.",
        "Nobody consulted disabled passengers' groups about these plans. Please come and talk to us in Sefton.",
        "Keep running feedback sessions like this one, and tell us what changed because of what we said.",
        "As an operator we would welcome a working group with the CA to shape how this is put into practice.",
        "How can young people get involved? A youth panel on transport would be a good idea.",
        "quarterly meetings with community groups in Halton would help you hear from people who dont use websites",
    ],
    None: [
        "My bus pass arrived with the wrong photo on it.",
        "The 86 was 25 minutes late again this morning.",
        "Hello, can you tell me the opening hours of the lost property office?",
        "Fares are too expensive for a family day out to New Brighton.",
        "The website keeps logging me out when I try to top up my card.",
        "Well done to the driver on the 14 this afternoon, very patient with an elderly passenger.",
        "Test test please ignore",
        "Can you send me a paper timetable for the Southport line?",
        "The escalator at Liverpool Central has been broken for weeks.",
        "Why are the Mersey Tunnel tolls going up again?",
        "I left my umbrella on the train to Chester yesterday, black with a wooden handle.",
        "Potholes on the A59 need fixing, it's dangerous for cyclists.",
        "Your app crashes on Android when I look at live departures.",
        "When does the new Northern Line timetable start?",
        "Great service today, thanks.",
        "The heating on the ferry did not work on the 8am crossing.",
        "I want to complain about the parking charges at the park and ride.",
        "Could you add more benches at the bus stop outside Aintree hospital?",
        "The toilets at the bus station were closed all weekend.",
        "Why do trains to Ormskirk only run every 30 minutes on Sundays?",
        "Buy cheap watches online click here",
        "How do I apply for a disabled persons travel pass?",
        "The announcements on the train are too quiet to hear.",
        "Road closures for the marathon were not publicised well enough.",
        "Is the Mersey Ferry running on Boxing Day?",
    ],
}


def main() -> None:
    """Write the JSON-lines file beside this script."""
    write(TEXTS, "h", __file__)


if __name__ == "__main__":
    main()
